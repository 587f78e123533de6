import { firstValueFrom, filter } from 'rxjs';
import { createClient, createFocusManager, createOnlineManager, hashQueryKey, type QueryState } from '../../../lib/index.js';
import { json, startServer, type TestServer } from '../../support/httpServer.js';

const settled = <T>(state: QueryState<T>): boolean => state.status !== 'pending' && !state.isFetching;

/** Lets real I/O and promise callbacks run while the fake clock stands still. */
async function flushIo(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Runs real I/O until `predicate` holds (fake clock frozen). */
async function ioUntil(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 20_000; i++) {
    if (predicate()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

describe('query timing under fake timers (real server, fake clock)', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startServer();
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'], now: 1_000_000 });
  });

  afterEach(async () => {
    jest.useRealTimers();
    await server.close();
  });

  it('retries with backoff: the server is hit the configured number of times at the configured delays', async () => {
    let calls = 0;
    server.route('/flaky', (_req, res) => (++calls <= 3 ? json(res, 503, { error: 'busy' }) : json(res, 200, { ok: true })));
    const client = createClient({ online: createOnlineManager(), focus: createFocusManager() });
    const states: Array<QueryState<unknown>> = [];
    const sub = client
      .query({
        key: ['flaky'],
        retry: 3,
        retryDelay: (failureCount) => 1000 * 2 ** (failureCount - 1),
        fetch: async ({ signal }) => {
          const res = await fetch(`${server.url}/flaky`, { signal });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          return res.json();
        },
      })
      .subscribe((s) => states.push(s));

    await ioUntil(() => server.count('/flaky') === 1 && states.at(-1)!.failureCount === 1, 'first failure');
    // Nothing more happens until the delay passes.
    await jest.advanceTimersByTimeAsync(999);
    await flushIo();
    expect(server.count('/flaky')).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    await ioUntil(() => server.count('/flaky') === 2 && states.at(-1)!.failureCount === 2, 'second failure');
    await jest.advanceTimersByTimeAsync(2000);
    await ioUntil(() => server.count('/flaky') === 3 && states.at(-1)!.failureCount === 3, 'third failure');
    await jest.advanceTimersByTimeAsync(4000);
    await ioUntil(() => states.at(-1)!.status === 'success', 'success');
    expect(server.count('/flaky')).toBe(4);
    const times = server.requests.map((r) => r.at - server.requests[0]!.at);
    expect(times).toEqual([0, 1000, 3000, 7000]);
    expect(states.at(-1)).toMatchObject({ status: 'success', data: { ok: true }, failureCount: 0 });
    expect(states.some((s) => s.failureCount === 3 && s.status === 'pending' && s.isFetching)).toBe(true);
    sub.unsubscribe();
  });

  it('gives up after the configured retries with the last error in state', async () => {
    server.route('/down', (_req, res) => json(res, 500, {}));
    const client = createClient({ online: createOnlineManager(), focus: createFocusManager() });
    const states: Array<QueryState<unknown>> = [];
    const sub = client
      .query({
        key: ['down'],
        retry: 2,
        retryDelay: 500,
        fetch: async () => {
          const res = await fetch(`${server.url}/down`);
          throw new Error(`HTTP ${res.status}`);
        },
      })
      .subscribe((s) => states.push(s));
    for (let i = 1; i <= 3; i++) {
      await ioUntil(() => server.count('/down') === i && states.at(-1)!.failureCount === i, `failure ${i}`);
      await jest.advanceTimersByTimeAsync(500);
    }
    await flushIo();
    expect(server.count('/down')).toBe(3);
    expect(states.at(-1)).toMatchObject({ status: 'error', failureCount: 3, isFetching: false });
    expect((states.at(-1)!.error as Error).message).toBe('HTTP 500');
    sub.unsubscribe();
  });

  it('refetches on refetchInterval with one request per interval however many subscribers', async () => {
    server.route('/clock', (_req, res) => json(res, 200, Date.now()));
    const client = createClient({ online: createOnlineManager(), focus: createFocusManager() });
    const clock$ = client.query({ key: ['clock'], refetchInterval: 1000, fetch: async () => (await fetch(`${server.url}/clock`)).json() });
    const subs = [clock$.subscribe(), clock$.subscribe(), clock$.subscribe()];
    await ioUntil(() => client.getData(['clock']) !== undefined, 'first load');
    for (let i = 2; i <= 4; i++) {
      await jest.advanceTimersByTimeAsync(1000);
      await ioUntil(() => server.count('/clock') === i, `tick ${i}`);
      await ioUntil(() => client.cache.get(hashQueryKey(['clock']))!.state.get().fetchStatus === 'idle', 'settle');
    }
    subs.forEach((s) => s.unsubscribe());
    await jest.advanceTimersByTimeAsync(5000);
    await flushIo();
    expect(server.count('/clock')).toBe(4);
  });

  it('emits isStale when fresh data turns stale, and garbage-collects after gcTime', async () => {
    const client = createClient({ online: createOnlineManager(), focus: createFocusManager() });
    let calls = 0;
    const q$ = client.query({ key: ['n'], staleTime: 1000, gcTime: 5000, fetch: () => ++calls });
    const states: Array<QueryState<number>> = [];
    const sub = q$.subscribe((s) => states.push(s));
    await flushIo();
    expect(states.at(-1)).toMatchObject({ status: 'success', data: 1, isStale: false });
    await jest.advanceTimersByTimeAsync(1001);
    expect(states.at(-1)).toMatchObject({ data: 1, isStale: true });
    expect(calls).toBe(1); // stale alone does not refetch
    sub.unsubscribe();
    await jest.advanceTimersByTimeAsync(4999);
    expect(client.getData(['n'])).toBe(1);
    await jest.advanceTimersByTimeAsync(2);
    expect(client.getData(['n'])).toBeUndefined();
    // A subscriber arriving in time cancels the collection.
    const again = q$.subscribe();
    await flushIo();
    again.unsubscribe();
    await jest.advanceTimersByTimeAsync(3000);
    expect(client.getData(['n'])).toBe(2); // within gcTime: still cached
    const back = q$.subscribe(); // stale, so it refetches, and it holds the entry past gcTime
    await jest.advanceTimersByTimeAsync(6000);
    expect(client.getData(['n'])).toBe(3);
    back.unsubscribe();
  });

  it('starting offline makes no request: the query is paused, then fetches once when back online', async () => {
    server.route('/x', (_req, res) => json(res, 200, 'ok'));
    const online = createOnlineManager();
    online.set(false);
    const client = createClient({ online, focus: createFocusManager() });
    const q$ = client.query({ key: ['x'], retry: 1, retryDelay: 100, fetch: async () => (await fetch(`${server.url}/x`)).json() });
    const states: Array<QueryState<unknown>> = [];
    const sub = q$.subscribe((s) => states.push(s));
    await flushIo();
    await jest.advanceTimersByTimeAsync(10_000);
    await flushIo();
    expect(server.count('/x')).toBe(0); // nothing that can only fail
    expect(states.at(-1)).toMatchObject({ status: 'pending', fetchStatus: 'paused', isFetching: false, failureCount: 0 });
    expect(states.some((s) => s.fetchStatus === 'paused')).toBe(true);
    online.set(true);
    await ioUntil(() => states.at(-1)!.status === 'success', 'success after reconnect');
    expect(states.at(-1)).toMatchObject({ data: 'ok', fetchStatus: 'idle' });
    await jest.advanceTimersByTimeAsync(10_000);
    await flushIo();
    expect(server.count('/x')).toBe(1); // once: the reconnect refetch joins the resumed fetch
    await expect(firstValueFrom(q$.pipe(filter(settled)))).resolves.toMatchObject({ data: 'ok' });
    sub.unsubscribe();
  });

  it('a retry that comes due offline pauses (not fetching), without spending the retry', async () => {
    let calls = 0;
    server.route('/flaky', (_req, res) => (++calls === 1 ? json(res, 503, {}) : json(res, 200, 'ok')));
    const online = createOnlineManager();
    const client = createClient({ online, focus: createFocusManager() });
    const states: Array<QueryState<unknown>> = [];
    const sub = client
      .query({
        key: ['flaky'],
        retry: 1,
        retryDelay: 1000,
        fetch: async () => {
          const res = await fetch(`${server.url}/flaky`);
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          return res.json();
        },
      })
      .subscribe((s) => states.push(s));
    await ioUntil(() => states.at(-1)!.failureCount === 1, 'first failure');
    expect(states.at(-1)).toMatchObject({ fetchStatus: 'fetching', isFetching: true });
    online.set(false);
    await jest.advanceTimersByTimeAsync(5000);
    await flushIo();
    expect(server.count('/flaky')).toBe(1);
    expect(states.at(-1)).toMatchObject({ status: 'pending', fetchStatus: 'paused', isFetching: false, failureCount: 1 });
    online.set(true);
    await ioUntil(() => states.at(-1)!.status === 'success', 'success after reconnect');
    expect(server.count('/flaky')).toBe(2);
    sub.unsubscribe();
  });

  it('refetchInterval 0 is off: one fetch, not a back-to-back poll', async () => {
    server.route('/poll', (_req, res) => json(res, 200, Date.now()));
    const client = createClient({ online: createOnlineManager(), focus: createFocusManager() });
    const sub = client
      .query({ key: ['poll'], refetchInterval: 0, fetch: async () => (await fetch(`${server.url}/poll`)).json() })
      .subscribe();
    await ioUntil(() => client.getData(['poll']) !== undefined, 'first load');
    for (let i = 0; i < 20; i++) {
      await jest.advanceTimersByTimeAsync(10);
      await flushIo(5);
    }
    expect(server.count('/poll')).toBe(1);
    expect(jest.getTimerCount()).toBe(0); // no interval timer planned
    sub.unsubscribe();
  });

  it('a hydrated entry nobody observes lives for gcTime from the hydrate, then is collected', async () => {
    const client = createClient({ online: createOnlineManager(), focus: createFocusManager(), defaults: { gcTime: 60_000 } });
    client.hydrate({ version: 1, queries: [{ key: ['k'], data: 'v', updatedAt: Date.now() }] });
    await jest.advanceTimersByTimeAsync(50);
    expect(client.getData(['k'])).toBe('v');
    await jest.advanceTimersByTimeAsync(59_949);
    expect(client.getData(['k'])).toBe('v');
    await jest.advanceTimersByTimeAsync(2);
    expect(client.getData(['k'])).toBeUndefined();
    // setData on an unobserved key follows the same rule.
    client.setData(['s'], 1);
    await jest.advanceTimersByTimeAsync(59_999);
    expect(client.getData(['s'])).toBe(1);
    await jest.advanceTimersByTimeAsync(2);
    expect(client.getData(['s'])).toBeUndefined();
  });
});
