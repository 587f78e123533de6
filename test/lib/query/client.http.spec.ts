import { firstValueFrom, filter, type Subscription } from 'rxjs';
import { createClient, createOnlineManager, createFocusManager, type QueryState, type QueryClient } from '../../../lib/index.js';
import { json, startServer, until, type TestServer } from '../../support/httpServer.js';

/** A fetcher for `path` on the test server, honouring the abort signal. */
const getJson =
  <T>(server: TestServer, path: string) =>
  async ({ signal }: { signal: AbortSignal }): Promise<T> => {
    const res = await fetch(server.url + path, { signal });
    if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { status: res.status });
    return (await res.json()) as T;
  };

const settled = <T>(state: QueryState<T>): boolean => state.status !== 'pending' && !state.isFetching;

describe('client.query against a real HTTP server', () => {
  let server: TestServer;
  let client: QueryClient;
  const subs: Subscription[] = [];

  beforeEach(async () => {
    server = await startServer();
    client = createClient({ online: createOnlineManager(), focus: createFocusManager() });
    let n = 0;
    server.route('/todos', (_req, res) => json(res, 200, [{ id: 1, title: `todo v${++n}` }]));
  });

  afterEach(async () => {
    subs.splice(0).forEach((s) => s.unsubscribe());
    client.clear();
    await server.close();
  });

  it('N concurrent subscribers share one request', async () => {
    const todos$ = client.query({ key: ['todos'], fetch: getJson<unknown[]>(server, '/todos') });
    const seen: Array<QueryState<unknown[]>> = [];
    for (let i = 0; i < 25; i++) subs.push(todos$.subscribe((s) => seen.push(s)));
    // Also through separately built query Observables for the same key.
    for (let i = 0; i < 5; i++) subs.push(client.query({ key: ['todos'], fetch: getJson(server, '/todos') }).subscribe());
    await firstValueFrom(todos$.pipe(filter(settled)));
    expect(server.count('/todos')).toBe(1);
    expect(client.getData(['todos'])).toEqual([{ id: 1, title: 'todo v1' }]);
    // The first emission is synchronous and already reports the fetch.
    expect(seen[0]).toMatchObject({ status: 'pending', isFetching: true, data: undefined });
  });

  it('fresh data causes no request; stale data refetches in the background', async () => {
    const fresh$ = client.query({ key: ['todos'], fetch: getJson(server, '/todos'), staleTime: 60_000 });
    await firstValueFrom(fresh$.pipe(filter(settled)));
    expect(server.count('/todos')).toBe(1);
    const again = await firstValueFrom(fresh$);
    expect(again).toMatchObject({ status: 'success', isFetching: false, isStale: false });
    subs.push(fresh$.subscribe());
    expect(server.count('/todos')).toBe(1);

    // staleTime 0: cached data is shown at once while a background refetch runs.
    const stale$ = client.query({ key: ['todos'], fetch: getJson<Array<{ id: number; title: string }>>(server, '/todos') });
    const first = await firstValueFrom(stale$);
    expect(first).toMatchObject({ status: 'success', isFetching: true, data: [{ id: 1, title: 'todo v1' }] });
    const refreshed = await firstValueFrom(
      stale$.pipe(filter((s) => settled(s) && s.data?.[0] !== undefined && server.count('/todos') === 2)),
    );
    expect(refreshed.data).toEqual([{ id: 1, title: 'todo v2' }]);
  });

  it('invalidate by prefix refetches exactly the matching active queries', async () => {
    for (const path of ['/todos/1', '/todos/2', '/todos/3', '/users']) server.route(path, (_req, res) => json(res, 200, { path }));
    const q = (key: unknown[], path: string) => client.query({ key, fetch: getJson(server, path), staleTime: Infinity });
    const active = [q(['todos', 1], '/todos/1'), q(['todos', 2], '/todos/2'), q(['users'], '/users')];
    for (const query$ of active) subs.push(query$.subscribe());
    // ['todos', 3] is cached but nobody observes it.
    await firstValueFrom(q(['todos', 3], '/todos/3').pipe(filter(settled)));
    await Promise.all(active.map((query$) => firstValueFrom(query$.pipe(filter(settled)))));
    const before = { t1: server.count('/todos/1'), t2: server.count('/todos/2'), t3: server.count('/todos/3'), u: server.count('/users') };
    expect(before).toEqual({ t1: 1, t2: 1, t3: 1, u: 1 });

    await client.invalidate(['todos']);
    expect(server.count('/todos/1')).toBe(2);
    expect(server.count('/todos/2')).toBe(2);
    expect(server.count('/todos/3')).toBe(1);
    expect(server.count('/users')).toBe(1);
    // The inactive match is marked stale: its next subscriber refetches despite staleTime Infinity.
    const next = await firstValueFrom(q(['todos', 3], '/todos/3'));
    expect(next.isStale).toBe(true);
    await until(() => server.count('/todos/3') === 2, 'refetch of the inactive query');
  });

  it('the last unsubscribe aborts the in-flight request: the server sees it closed', async () => {
    server.route('/slow', () => undefined); // never answers
    const slow$ = client.query({ key: ['slow'], fetch: getJson(server, '/slow') });
    const a = slow$.subscribe();
    const b = slow$.subscribe();
    await server.waitFor('/slow', 1);
    a.unsubscribe();
    await new Promise((r) => setTimeout(r, 20));
    expect(server.requests[0]!.aborted).toBe(false); // b still waits
    b.unsubscribe();
    await until(() => server.requests[0]!.aborted, 'the server to see the request closed');
    expect(server.count('/slow')).toBe(1);
  });

  it('a failing query does not disturb the others', async () => {
    server.route('/broken', (_req, res) => json(res, 500, { error: 'down' }));
    const broken$ = client.query({ key: ['broken'], fetch: getJson(server, '/broken'), retry: false });
    const todos$ = client.query({ key: ['todos'], fetch: getJson(server, '/todos') });
    const [broken, todos] = await Promise.all([
      firstValueFrom(broken$.pipe(filter(settled))),
      firstValueFrom(todos$.pipe(filter(settled))),
    ]);
    expect(broken).toMatchObject({ status: 'error', failureCount: 1 });
    expect((broken.error as Error).message).toBe('HTTP 500');
    expect(todos.status).toBe('success');
  });

  it('refetches stale queries when the network comes back and when the page regains focus', async () => {
    const online = createOnlineManager();
    const focus = createFocusManager();
    const c = createClient({ online, focus });
    const todos$ = c.query({ key: ['todos'], fetch: getJson(server, '/todos') });
    let freshCalls = 0;
    const fresh$ = c.query({ key: ['fresh'], fetch: () => (freshCalls++, 'x'), staleTime: Infinity });
    subs.push(todos$.subscribe(), fresh$.subscribe());
    await firstValueFrom(todos$.pipe(filter(settled)));
    online.set(false);
    online.set(true);
    await until(() => server.count('/todos') === 2, 'refetch on reconnect');
    await firstValueFrom(
      todos$.pipe(filter((s) => settled(s) && s.data !== undefined && (s.data as Array<{ title: string }>)[0]!.title === 'todo v2')),
    );
    focus.set(false);
    focus.set(true);
    await until(() => server.count('/todos') === 3, 'refetch on focus');
    // Fresh data (staleTime Infinity) is not refetched by either event.
    expect(c.getData(['fresh'])).toBe('x');
    expect(freshCalls).toBe(1);
    c.clear();
  });

  it('prefetch fills the cache without subscribers; a later subscriber gets it without a request', async () => {
    await client.prefetch({ key: ['todos'], fetch: getJson(server, '/todos') });
    expect(server.count('/todos')).toBe(1);
    const state = await firstValueFrom(client.query({ key: ['todos'], fetch: getJson(server, '/todos'), staleTime: 10_000 }));
    expect(state).toMatchObject({ status: 'success', isFetching: false });
    expect(server.count('/todos')).toBe(1);
  });
});

describe('client.infiniteQuery against a real HTTP server', () => {
  it('loads pages in order, knows when there are no more, and refetches all loaded pages', async () => {
    const server = await startServer();
    let version = 0;
    server.route('/items', (req, res) => {
      const cursor = Number(new URL(req.url!, server.url).searchParams.get('cursor'));
      json(res, 200, { items: [cursor, cursor + 1].map((n) => `item ${n} v${version}`), next: cursor + 2 < 6 ? cursor + 2 : null });
    });
    const client = createClient({ online: createOnlineManager(), focus: createFocusManager() });
    type Page = { items: string[]; next: number | null };
    const items = client.infiniteQuery<Page, number>({
      key: ['items'],
      initialPageParam: 0,
      getNextPageParam: (last) => last.next,
      fetch: async ({ pageParam, signal }) => (await fetch(`${server.url}/items?cursor=${pageParam}`, { signal })).json() as Promise<Page>,
    });
    const states: Array<{ pages: number; next: boolean; fetchingNext: boolean }> = [];
    const sub = items.subscribe((s) =>
      states.push({ pages: s.data?.pages.length ?? 0, next: s.hasNextPage, fetchingNext: s.isFetchingNextPage }),
    );
    await firstValueFrom(items.pipe(filter((s) => s.status === 'success' && !s.isFetching)));
    await items.fetchNextPage();
    await items.fetchNextPage();
    await items.fetchNextPage(); // no page after the third: no request
    expect(server.count('/items')).toBe(3);
    const data = client.getData<{ pages: Page[]; pageParams: number[] }>(['items'])!;
    expect(data.pageParams).toEqual([0, 2, 4]);
    expect(data.pages.flatMap((p) => p.items)).toEqual([0, 1, 2, 3, 4, 5].map((n) => `item ${n} v0`));
    expect(states.at(-1)).toEqual({ pages: 3, next: false, fetchingNext: false });
    expect(states.some((s) => s.fetchingNext)).toBe(true);

    version = 1;
    await client.invalidate(['items']);
    expect(server.count('/items')).toBe(6);
    expect(client.getData<{ pages: Page[] }>(['items'])!.pages.flatMap((p) => p.items)).toEqual(
      [0, 1, 2, 3, 4, 5].map((n) => `item ${n} v1`),
    );
    sub.unsubscribe();
    client.clear();
    await server.close();
  });
});
