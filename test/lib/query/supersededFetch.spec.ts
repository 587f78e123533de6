import type { ServerResponse } from 'node:http';
import { filter, firstValueFrom } from 'rxjs';
import { createClient, createFocusManager, createOnlineManager, createOutbox, memoryStorage, type QueryState } from '../../../lib/index.js';
import { json, startServer, until, type SeenRequest, type TestServer } from '../../support/httpServer.js';

/**
 * A fetch in flight whose answer may predate a change is superseded: `invalidate` aborts it and
 * fetches again (TanStack's `cancelRefetch`), and a mutation cancels the fetch of the key it
 * changes optimistically, then refetches that key once the change settled. Against a real HTTP
 * server whose GETs are answered when the test says, so the order of reads and writes is chosen.
 */
describe('superseded fetches', () => {
  let server: TestServer;
  /** GETs of /items not answered yet, oldest first. */
  let held: Array<{ res: ServerResponse; seen: SeenRequest }>;
  let items: string[];

  beforeEach(async () => {
    server = await startServer();
    held = [];
    items = ['a'];
    server.route('/items', (req, res, seen) => {
      if (req.method === 'GET') {
        held.push({ res, seen });
        return;
      }
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        items.push(JSON.parse(body) as string);
        json(res, 200, { ok: true });
      });
    });
  });
  afterEach(async () => server.close());

  /** Answers the oldest held GET with the items the server holds now (a read at this moment). */
  const answerNext = (): SeenRequest => {
    const next = held.shift();
    if (next === undefined) throw new Error('no GET is waiting');
    if (!next.seen.aborted) json(next.res, 200, [...items]);
    return next.seen;
  };

  const getItems = async ({ signal }: { signal: AbortSignal }): Promise<string[]> =>
    (await fetch(`${server.url}/items`, { signal })).json() as Promise<string[]>;
  const idle = (state: QueryState<unknown>) => state.status === 'success' && state.fetchStatus === 'idle';

  it('invalidate aborts the fetch in flight and shows what the fetch started after it brings, never the older answer', async () => {
    const focus = createFocusManager();
    const client = createClient({ online: createOnlineManager(), focus });
    const items$ = client.query({ key: ['items'], fetch: getItems });
    const count$ = client.query({ key: ['items'], fetch: getItems, select: (list) => list.length });
    const seen: string[][] = [];
    let latest: QueryState<string[]> | undefined;
    const subscriptions = [
      items$.subscribe((s) => {
        latest = s;
        if (s.data !== undefined) seen.push(s.data);
      }),
      count$.subscribe(),
    ];
    await server.waitFor('/items', 1);
    answerNext();
    await firstValueFrom(items$.pipe(filter(idle)));

    // A refetch (the tab is shown again) reads the list before someone else's write...
    focus.set(false);
    focus.set(true);
    await server.waitFor('/items', 2);
    items.push('b');
    // ...and the app, told of that write, invalidates: the read in flight is out of date.
    const invalidated = client.invalidate(['items']);
    await server.waitFor('/items', 3);
    const first = held[0]!.seen;
    await until(() => first.aborted, 'the superseded GET to be aborted');
    held.shift();
    answerNext();
    await invalidated;

    expect(server.count('/items')).toBe(3); // both streams of the key joined one new fetch
    expect(seen.at(-1)).toEqual(['a', 'b']);
    expect(new Set(seen).size).toBe(2); // two answers landed: the first one, and the one after the invalidation
    expect(latest).toMatchObject({ status: 'success', fetchStatus: 'idle', isStale: true });
    subscriptions.forEach((s) => s.unsubscribe());
    client.clear();
  });

  it('a mutation cancels the fetch of the list it changes; the list is refetched after the ack and never shows the new item twice', async () => {
    const focus = createFocusManager();
    const outbox = createOutbox({ storage: memoryStorage() });
    const client = createClient({ online: createOnlineManager(), focus, outbox });
    const items$ = client.query({ key: ['items'], fetch: getItems });
    const add = client.mutation<string, unknown, string[]>({
      name: 'addItem',
      send: async (item, { signal }) => {
        const response = await fetch(`${server.url}/items`, { method: 'POST', body: JSON.stringify(item), signal });
        return response.json();
      },
      optimistic: { key: ['items'], update: (draft, item) => void draft.push(item) },
      // No `invalidates`: the refetch after the ack is the one the cancelled fetch is owed.
    });
    const shown: string[][] = [];
    let latest: QueryState<string[]> | undefined;
    const subscription = items$.subscribe((s) => {
      latest = s;
      if (s.data !== undefined) shown.push(s.data);
    });
    await server.waitFor('/items', 1);
    answerNext();
    await firstValueFrom(items$.pipe(filter(idle)));

    focus.set(false);
    focus.set(true); // a refetch starts...
    await server.waitFor('/items', 2);
    const queued = await add.mutate('b'); // ...and the write goes out while it is in flight
    expect(client.getData(['items'])).toEqual(['a', 'b']);
    expect(latest?.fetchStatus).toBe('idle');
    await until(() => held[0]!.seen.aborted, 'the cancelled GET to be aborted');
    held.shift();
    await expect(queued.settled).resolves.toMatchObject({ status: 'acked' });
    // The server read that GET after the POST: had its answer landed, the layer would double 'b'.
    await server.waitFor('/items', 4); // GET, cancelled GET, POST, and now the refetch owed
    answerNext();
    await until(() => latest?.fetchStatus === 'idle' && latest.data?.length === 2 && server.count('/items') === 4, 'the refetch to land');

    expect(shown.every((list) => list.filter((item) => item === 'b').length <= 1)).toBe(true);
    expect(shown.at(-1)).toEqual(['a', 'b']);
    expect(server.count('/items')).toBe(4);
    subscription.unsubscribe();
    add.dispose();
    outbox.close();
    client.clear();
  });
});
