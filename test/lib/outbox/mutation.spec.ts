import { firstValueFrom, filter } from 'rxjs';
import {
  createClient,
  createFocusManager,
  createOnlineManager,
  createOutbox,
  httpSender,
  isRxSyncError,
  memoryStorage,
  type QueryState,
} from '../../../lib/index.js';
import { json, startServer, until, type TestServer } from '../../support/httpServer.js';
import { recordingStorage } from '../../support/recordingStorage.js';

interface Todo {
  id: number;
  title: string;
  done: boolean;
}

/** A todo API that applies each Idempotency-Key once, and can refuse chosen titles with 422. */
function todoApi(server: TestServer) {
  const todos: Todo[] = [
    { id: 1, title: 'one', done: false },
    { id: 2, title: 'two', done: false },
    { id: 3, title: 'three', done: false },
  ];
  const applied: string[] = [];
  const seenKeys = new Set<string>();
  server.route('/todos', (req, res) => {
    if (req.method === 'GET') return json(res, 200, todos);
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const key = String(req.headers['idempotency-key']);
      const patch = JSON.parse(body) as Partial<Todo> & { id: number };
      if (patch.title === 'REFUSED') return json(res, 422, { error: 'title refused' });
      if (!seenKeys.has(key)) {
        seenKeys.add(key);
        applied.push(`${patch.id}:${patch.title ?? ''}${patch.done === undefined ? '' : `:${patch.done}`}`);
        Object.assign(
          todos.find((t) => t.id === patch.id)!,
          patch,
        );
      }
      json(res, 200, { ok: true });
    });
  });
  return { todos, applied };
}

const settled = <T>(s: QueryState<T>) => s.status === 'success' && !s.isFetching;

describe('client.mutation', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => server.close());

  function makeClient(storage = recordingStorage(), online = createOnlineManager()) {
    const outbox = createOutbox({ storage, online$: online.value$, retry: { initialDelay: 5, maxDelay: 20 } });
    const client = createClient({ online, focus: createFocusManager(), outbox });
    const todos$ = client.query({ key: ['todos'], fetch: async () => (await fetch(`${server.url}/todos`)).json() as Promise<Todo[]> });
    const update = client.mutation<Partial<Todo> & { id: number }, unknown>({
      name: 'updateTodo',
      send: (patch, ctx) =>
        httpSender<typeof patch>({ url: `${server.url}/todos`, method: 'PATCH' })(
          { id: ctx.idempotencyKey, name: 'updateTodo', payload: patch, scope: 'x', seq: 0, createdAt: 0, attempts: 0 },
          ctx,
        ),
      optimistic: {
        key: ['todos'],
        update: (draft, patch) => {
          Object.assign(
            (draft as Todo[]).find((t) => t.id === patch.id)!,
            patch,
          );
        },
      },
      invalidates: [['todos']],
    });
    return { client, outbox, todos$, update, online, storage };
  }

  it('applies the optimistic change at once, sends it, and invalidates after the ack', async () => {
    const api = todoApi(server);
    const { client, todos$, update } = makeClient();
    const sub = todos$.subscribe();
    await firstValueFrom(todos$.pipe(filter(settled)));
    const getsBefore = server.count('/todos');
    const queued = await update.mutate({ id: 1, done: true });
    expect(client.getData<Todo[]>(['todos'])![0]!.done).toBe(true); // shown before the server knows
    await expect(queued.settled).resolves.toEqual({ status: 'acked', result: { ok: true } });
    expect(api.applied).toEqual(['1::true']);
    await until(() => server.count('/todos') > getsBefore + 1, 'the refetch after invalidation');
    sub.unsubscribe();
    client.clear();
    client.outbox!.close();
  });

  it('rolls back exactly a dead-lettered change between two successful ones', async () => {
    const api = todoApi(server);
    const online = createOnlineManager();
    const { client, todos$, update, outbox } = makeClient(recordingStorage(), online);
    const sub = todos$.subscribe();
    await firstValueFrom(todos$.pipe(filter(settled)));
    online.set(false);
    const a = await update.mutate({ id: 1, title: 'first' });
    const b = await update.mutate({ id: 2, title: 'REFUSED' });
    const c = await update.mutate({ id: 3, title: 'third' });
    expect(client.getData<Todo[]>(['todos'])!.map((t) => t.title)).toEqual(['first', 'REFUSED', 'third']);
    online.set(true);
    expect(await a.settled).toMatchObject({ status: 'acked' });
    expect(await b.settled).toMatchObject({ status: 'dead', code: 422 });
    expect(await c.settled).toMatchObject({ status: 'acked' });
    // The refused change is undone; the two accepted ones made on either side of it stay.
    const titles = client.getData<Todo[]>(['todos'])!.map((t) => t.title);
    expect(titles).toEqual(['first', 'two', 'third']);
    expect(api.applied).toEqual(['1:first', '3:third']);
    expect((await outbox.deadLetters()).map((d) => d.op.payload)).toEqual([{ id: 2, title: 'REFUSED' }]);
    sub.unsubscribe();
    client.clear();
    outbox.close();
  });

  it('a refused change is dropped exactly when a later change touched the same field (rebase, not inverse patches)', async () => {
    const online = createOnlineManager();
    online.set(false);
    const outbox = createOutbox({ storage: memoryStorage(), online$: online.value$ });
    const client = createClient({ online, focus: createFocusManager(), outbox });
    client.setData(['c'], { n: 0 });
    const add = client.mutation<number, number, { n: number }>({
      name: 'add',
      send: async (by) => {
        if (by === 1) throw Object.assign(new Error('refused'), { status: 422 });
        return by;
      },
      optimistic: { key: ['c'], update: (draft, by) => void (draft.n += by) },
    });
    const a = await add.mutate(1);
    const b = await add.mutate(10);
    expect(client.getData(['c'])).toEqual({ n: 11 });
    const seen: number[] = [];
    const view = client
      .query<{ n: number }>({ key: ['c'], fetch: () => ({ n: -1 }), staleTime: Infinity })
      .subscribe((s) => seen.push(s.data!.n));
    online.set(true);
    expect(await a.settled).toMatchObject({ status: 'dead', code: 422 });
    expect(client.getData(['c'])).toEqual({ n: 10 }); // b's change stays; only a's is gone
    expect(await b.settled).toMatchObject({ status: 'acked' });
    expect(client.getData(['c'])).toEqual({ n: 10 });
    expect(seen).not.toContain(0); // never showed a state without b
    // A later write of confirmed data keeps outstanding changes over it, and keeps none once settled.
    client.setData<{ n: number }>(['c'], (draft) => void (draft!.n *= 2));
    expect(client.getData(['c'])).toEqual({ n: 20 });
    view.unsubscribe();
    outbox.close();
    client.clear();
  });

  it('after a reload, a refused op queued before it is dropped exactly too (confirmed data found from the recorded patches)', async () => {
    const storage = memoryStorage();
    const offline = createOnlineManager();
    offline.set(false);
    const makeAdd = (client: ReturnType<typeof createClient>) =>
      client.mutation<number, number, { n: number }>({
        name: 'add',
        send: async (by) => {
          if (by === 1) throw Object.assign(new Error('refused'), { status: 422 });
          return by;
        },
        optimistic: { key: ['c'], update: (draft, by) => void (draft.n += by) },
      });
    const firstOutbox = createOutbox({ storage, online$: offline.value$ });
    const first = createClient({ online: offline, focus: createFocusManager(), outbox: firstOutbox });
    first.setData(['c'], { n: 0 });
    await makeAdd(first).mutate(1);
    await makeAdd(first).mutate(10);
    const saved = first.dehydrate(); // what persistCache would have saved: { n: 11 }
    firstOutbox.close();

    const online = createOnlineManager();
    online.set(false);
    const outbox = createOutbox({ storage, online$: online.value$ });
    const client = createClient({ online, focus: createFocusManager(), outbox });
    client.hydrate(saved);
    makeAdd(client);
    await outbox.ready;
    expect(client.getData(['c'])).toEqual({ n: 11 });
    const dead = firstValueFrom(outbox.deadLetter$);
    online.set(true);
    await dead;
    expect(client.getData(['c'])).toEqual({ n: 10 });
    await outbox.drained();
    expect(client.getData(['c'])).toEqual({ n: 10 });
    outbox.close();
    client.clear();
  });

  it('survives a reload: queued offline, sent in order by the next client on the same storage', async () => {
    const api = todoApi(server);
    const storage = recordingStorage();
    const offline = createOnlineManager();
    offline.set(false);
    const first = makeClient(storage, offline);
    for (const [id, title] of [
      [1, 'a'],
      [2, 'b'],
      [1, 'c'],
    ] as const)
      await first.update.mutate({ id, title });
    first.outbox.close(); // the tab closes
    expect(api.applied).toEqual([]);

    const second = makeClient(storage, createOnlineManager()); // reload: registers the same mutation name
    await second.outbox.ready;
    await second.outbox.drained();
    expect(api.applied).toEqual(['1:a', '2:b', '1:c']);
    second.outbox.close();
  });

  it('a write the storage refuses is not reported queued, and its optimistic change is undone', async () => {
    todoApi(server);
    const storage = recordingStorage();
    const { client, todos$, update, outbox } = makeClient(storage);
    const sub = todos$.subscribe();
    await firstValueFrom(todos$.pipe(filter(settled)));
    storage.failWrites(1, new Error('QuotaExceededError'));
    const err = await update.mutate({ id: 1, title: 'lost?' }).catch((e: unknown) => e);
    expect(isRxSyncError(err, 'E_STORAGE_WRITE')).toBe(true);
    expect(client.getData<Todo[]>(['todos'])![0]!.title).toBe('one');
    sub.unsubscribe();
    client.clear();
    outbox.close();
  });

  it('10,000 mutate/ack cycles leave no timers, queued ops, stored keys or listeners', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      const storage = recordingStorage();
      const online = createOnlineManager();
      const outbox = createOutbox({ storage, online$: online.value$ });
      const client = createClient({ online, focus: createFocusManager(), outbox });
      client.setData(['count'], { n: 0 });
      const seen: number[] = [];
      const view = client
        .query<{ n: number }>({ key: ['count'], fetch: () => ({ n: 0 }), staleTime: Infinity })
        .subscribe((s) => seen.push(s.data!.n));
      let sent = 0;
      const inc = client.mutation<number, void, { n: number }>({
        name: 'inc',
        send: async () => void sent++,
        optimistic: { key: ['count'], update: (draft, by) => void (draft.n += by) },
      });
      let acked = 0;
      for (let round = 0; round < 10; round++) {
        const queued = await Promise.all(Array.from({ length: 1000 }, () => inc.mutate(1)));
        const outcomes = await Promise.all(queued.map((q) => q.settled));
        acked += outcomes.filter((o) => o.status === 'acked').length;
      }
      expect(acked).toBe(10_000);
      expect(sent).toBe(10_000);
      expect(client.getData<{ n: number }>(['count'])!.n).toBe(10_000);
      expect(outbox.pendingOps()).toEqual([]);
      expect(storage.data.size).toBe(0);
      expect(jest.getTimerCount()).toBe(0); // an observed entry has no gc timer; nothing else is left
      expect(seen.at(-1)).toBe(10_000);
      view.unsubscribe();
      inc.dispose();
      outbox.close();
      client.clear();
    } finally {
      jest.useRealTimers();
    }
  });

  it('asks for an outbox instead of silently queuing in memory, and validates its options', async () => {
    const bare = createClient({ online: createOnlineManager(), focus: createFocusManager() });
    let missing: unknown;
    try {
      bare.mutation({ name: 'add', send: async () => 1 });
    } catch (err) {
      missing = err;
    }
    expect(isRxSyncError(missing, 'E_OPTION_INVALID')).toBe(true);
    expect((missing as Error).message).toMatch(/needs an outbox: createClient\(\{ outbox/);

    const outbox = createOutbox({ storage: memoryStorage(), online$: createOnlineManager().value$ });
    const client = createClient({ online: createOnlineManager(), focus: createFocusManager(), outbox });
    const sent: number[] = [];
    const add = client.mutation<number>({ name: 'add', send: async (n) => void sent.push(n) });
    const queued = await add.mutate(5);
    await queued.settled;
    expect(sent).toEqual([5]);
    expect(() => client.mutation({ name: '', send: async () => 1 })).toThrow(/needs a name/);
    expect(() => client.mutation({ name: 'x' } as never)).toThrow(/needs a send function/);
    outbox.close();
  });
});
