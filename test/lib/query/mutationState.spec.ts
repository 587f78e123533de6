import { firstValueFrom, filter } from 'rxjs';
import {
  RefusedError,
  createClient,
  createFocusManager,
  createOnlineManager,
  createOutbox,
  httpSender,
  isRxSyncError,
  memoryStorage,
  type MutationState,
  type MutationStatus,
  type Storage,
} from '../../../lib/index.js';
import { localforageStorage } from '../../../lib/storage/localforageStorage.js';
import { json, startServer, type TestServer } from '../../support/httpServer.js';
import { recordingStorage } from '../../support/recordingStorage.js';

interface Todo {
  id: number;
  title: string;
}

/** A real HTTP endpoint: applies each Idempotency-Key once, refuses the title 'REFUSED' with 422. */
function todoApi(server: TestServer) {
  const applied: string[] = [];
  const seen = new Set<string>();
  server.route('/todos', (req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const todo = JSON.parse(body) as Todo;
      if (todo.title === 'REFUSED') return json(res, 422, { error: 'title refused' });
      const key = String(req.headers['idempotency-key']);
      if (!seen.has(key)) {
        seen.add(key);
        applied.push(todo.title);
      }
      json(res, 200, { saved: todo.id });
    });
  });
  return { applied };
}

let databases = 0;
const storages: Array<[string, () => Storage]> = [
  ['memoryStorage', () => memoryStorage()],
  ['localforage on IndexedDB', () => localforageStorage({ name: `rxsync-mutation-state-${++databases}` })],
];

describe('mutation state', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => server.close());

  function setup(storage: Storage = memoryStorage()) {
    const online = createOnlineManager();
    const outbox = createOutbox({ storage, online$: online.value$, retry: { initialDelay: 5, maxDelay: 20 } });
    let clock = 1000;
    const client = createClient({ online, focus: createFocusManager(), outbox, now: () => ++clock });
    const save = (c = client) =>
      c.mutation<Todo, { saved: number }, Todo[]>({
        name: 'saveTodo',
        send: (todo, context) => httpSender<Todo>({ url: `${server.url}/todos` })(opOf(todo, context.idempotencyKey), context) as never,
        optimistic: { key: ['todos'], update: (draft, todo) => void draft.push(todo) },
      });
    return { online, outbox, client, save };
  }

  function record<V, R>(state$: { subscribe(next: (s: MutationState<V, R>) => void): unknown }) {
    const states: Array<MutationState<V, R>> = [];
    state$.subscribe((s) => states.push(s));
    return { states, statuses: (): MutationStatus[] => states.map((s) => s.status) };
  }

  it.each(storages)('moves idle → pending → queued → success on %s, answering with the server data', async (_, storage) => {
    const api = todoApi(server);
    const { client, outbox, save } = setup(storage());
    const mutation = save();
    const seen = record(mutation.state$);
    expect(seen.statuses()).toEqual(['idle']); // current state at once, on subscribe
    expect(seen.states[0]).toMatchObject({ variables: undefined, data: undefined, error: null, queuedId: undefined, isPaused: false });

    const queued = await mutation.mutate({ id: 1, title: 'one' });
    await queued.settled;
    expect(seen.statuses()).toEqual(['idle', 'pending', 'queued', 'success']);
    const [, pending, waiting, success] = seen.states;
    expect(pending).toMatchObject({ variables: { id: 1, title: 'one' }, queuedId: undefined, settledAt: 0 });
    expect(waiting).toMatchObject({ queuedId: queued.id, isPaused: false, submittedAt: pending!.submittedAt });
    expect(success).toMatchObject({ data: { saved: 1 }, error: null, queuedId: queued.id });
    expect(success!.settledAt).toBeGreaterThan(success!.submittedAt);
    if (success?.status === 'success') expect(success.data.saved).toBe(1); // narrowed: data is the answer type
    expect(api.applied).toEqual(['one']);

    // A late subscriber gets the current state only; no transition is repeated.
    const late = record(mutation.state$);
    expect(late.states).toEqual([success]);
    mutation.dispose();
    outbox.close();
    client.clear();
  });

  it('is queued and paused while offline, then succeeds once back online', async () => {
    const api = todoApi(server);
    const { online, outbox, save } = setup();
    const mutation = save();
    online.set(false);
    const seen = record(mutation.state$);
    const queued = await mutation.mutate({ id: 2, title: 'offline' });
    expect(seen.statuses()).toEqual(['idle', 'pending', 'queued', 'queued']);
    expect(seen.states.at(-1)).toMatchObject({ status: 'queued', isPaused: true, queuedId: queued.id });
    expect(api.applied).toEqual([]);

    online.set(true);
    expect(await queued.settled).toEqual({ status: 'acked', result: { saved: 2 } });
    expect(seen.states.slice(-2).map((s) => [s.status, s.isPaused])).toEqual([
      ['queued', false],
      ['success', false],
    ]);
    expect(api.applied).toEqual(['offline']);
    online.set(false); // no longer followed once settled
    expect(seen.states.at(-1)!.isPaused).toBe(false);
    mutation.dispose();
    outbox.close();
  });

  it('a dead-lettered op ends in error with the refusal code (HTTP status as E_HTTP), its optimistic change undone', async () => {
    todoApi(server);
    const { client, outbox, save } = setup();
    client.setData<Todo[]>(['todos'], []);
    const mutation = save();
    const seen = record(mutation.state$);
    const queued = await mutation.mutate({ id: 3, title: 'REFUSED' });
    expect(client.getData<Todo[]>(['todos'])).toEqual([{ id: 3, title: 'REFUSED' }]);
    expect(await queued.settled).toMatchObject({ status: 'dead', code: 422 });
    const last = seen.states.at(-1)!;
    expect(last).toMatchObject({ status: 'error', queuedId: queued.id, data: undefined });
    expect(isRxSyncError(last.error, 'E_HTTP')).toBe(true);
    expect((last.error as { details: unknown }).details).toEqual({ name: 'saveTodo', id: queued.id, status: 422 });
    expect(client.getData<Todo[]>(['todos'])).toEqual([]);

    // A sender's RefusedError: the state's error carries its code.
    const refuse = client.mutation<string>({
      name: 'refuse',
      send: async () => {
        throw new RefusedError('E_FORBIDDEN', 'not yours');
      },
    });
    const refused = await refuse.mutate('x');
    await refused.settled;
    const state = await firstValueFrom(refuse.state$);
    expect(state.status).toBe('error');
    expect(isRxSyncError(state.error, 'E_FORBIDDEN')).toBe(true);
    expect((state.error as Error).message).toMatch(/"refuse" failed for good: not yours/);
    outbox.close();
  });

  it('a write the storage refuses ends in error with no queuedId, and the optimistic change is rolled back', async () => {
    const storage = recordingStorage();
    const { client, outbox, save } = setup(storage);
    client.setData<Todo[]>(['todos'], [{ id: 1, title: 'kept' }]);
    const mutation = save();
    const seen = record(mutation.state$);
    storage.failWrites(1, new Error('QuotaExceededError'));
    const failure = await mutation.mutate({ id: 4, title: 'lost?' }).catch((e: unknown) => e);
    expect(isRxSyncError(failure, 'E_STORAGE_WRITE')).toBe(true);
    expect(seen.statuses()).toEqual(['idle', 'pending', 'error']);
    expect(seen.states.at(-1)).toMatchObject({ error: failure, queuedId: undefined, variables: { id: 4, title: 'lost?' } });
    expect(client.getData<Todo[]>(['todos'])).toEqual([{ id: 1, title: 'kept' }]);
    outbox.close();
  });

  it('several handles of one name coexist: disposing one keeps the others delivering', async () => {
    const api = todoApi(server);
    const { online, outbox, save } = setup();
    const first = save();
    const second = save();
    online.set(false);
    const viaFirst = await first.mutate({ id: 5, title: 'through the first' });
    first.dispose();
    first.dispose(); // twice: still only its own handle
    const viaSecond = await second.mutate({ id: 6, title: 'through the second' });
    online.set(true);
    expect(await viaFirst.settled).toMatchObject({ status: 'acked' });
    expect(await viaSecond.settled).toMatchObject({ status: 'acked' });
    expect(api.applied).toEqual(['through the first', 'through the second']);
    // Each handle shows its own latest call.
    expect((await firstValueFrom(first.state$)).variables).toEqual({ id: 5, title: 'through the first' });
    expect(await firstValueFrom(second.state$)).toMatchObject({ status: 'success', data: { saved: 6 } });

    // With every handle gone, a queued op waits for the next handle of its name.
    online.set(false);
    const third = save();
    const waiting = await third.mutate({ id: 7, title: 'waits' });
    second.dispose();
    third.dispose();
    online.set(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(api.applied).toHaveLength(2);
    expect(outbox.pendingOps().map((op) => op.id)).toEqual([waiting.id]);
    const fourth = save();
    expect(await waiting.settled).toMatchObject({ status: 'acked' });
    expect(api.applied.at(-1)).toBe('waits');
    fourth.dispose();
    outbox.close();
  });

  it('reset() returns to idle without cancelling the op, and the outcome no longer shows', async () => {
    const api = todoApi(server);
    const { online, outbox, save } = setup();
    const mutation = save();
    online.set(false);
    const seen = record(mutation.state$);
    const queued = await mutation.mutate({ id: 8, title: 'still sent' });
    mutation.reset();
    expect(seen.states.at(-1)).toEqual({
      status: 'idle',
      variables: undefined,
      data: undefined,
      error: null,
      queuedId: undefined,
      submittedAt: 0,
      settledAt: 0,
      isPaused: false,
    });
    const count = seen.states.length;
    mutation.reset(); // equal state: not re-emitted
    online.set(true);
    await queued.settled;
    expect(api.applied).toEqual(['still sent']);
    expect(seen.states).toHaveLength(count);

    // Only the latest call is shown: an earlier one settling later does not overwrite it.
    online.set(false);
    const older = await mutation.mutate({ id: 9, title: 'older' });
    const newer = mutation.mutate({ id: 10, title: 'newer' });
    await newer;
    online.set(true);
    await older.settled;
    await (
      await newer
    ).settled;
    expect(await firstValueFrom(mutation.state$.pipe(filter((s) => s.status === 'success')))).toMatchObject({
      variables: { id: 10, title: 'newer' },
      data: { saved: 10 },
    });
    mutation.dispose();
    outbox.close();
  });
});

function opOf(todo: Todo, id: string) {
  return { id, name: 'saveTodo', payload: todo, scope: 'saveTodo', seq: 0, createdAt: 0, attempts: 0 };
}
