import { createTestClient, fakeFetcher, type TestClient } from 'rxsync/testing';
import type { QueryState } from 'rxsync';

interface Todo {
  id: number;
  title: string;
}

describe('createTestClient with fake fetchers (queries in virtual time)', () => {
  let test: TestClient;
  beforeEach(() => {
    test = createTestClient();
  });
  afterEach(() => test.dispose());

  it('retries with backoff: 3 attempts over 30 s of virtual time, at the delays configured', async () => {
    const fetchTodos = fakeFetcher<Todo[]>([{ id: 1, title: 'Write tests' }]);
    fetchTodos.failNext(new Error('503'), 2);
    const states: QueryState<Todo[]>[] = [];
    const start = test.clock.now();
    const sub = test.client
      .query({ key: ['todos'], fetch: fetchTodos, retry: 3, retryDelay: (failureCount) => 10_000 * failureCount })
      .subscribe((state) => states.push(state));
    await test.flush();
    expect(fetchTodos.calls.map((call) => call.at - start)).toEqual([0, 10_000, 30_000]);
    expect(fetchTodos.calls.every((call) => call.key[0] === 'todos')).toBe(true);
    expect(states.at(-1)).toMatchObject({ status: 'success', data: [{ id: 1, title: 'Write tests' }], failureCount: 0 });
    sub.unsubscribe();
  });

  it('gives up after the last retry and keeps the error in state', async () => {
    const failing = fakeFetcher<number>(() => {
      throw new Error('down');
    });
    const states: QueryState<number>[] = [];
    test.client.query({ key: ['n'], fetch: failing, retry: 2, retryDelay: 1000 }).subscribe((s) => states.push(s));
    await test.flush();
    expect(failing.calls.map((c) => c.at - failing.calls[0]!.at)).toEqual([0, 1000, 2000]);
    expect(states.at(-1)).toMatchObject({ status: 'error', failureCount: 3 });
  });

  it('staleTime and gcTime pass in virtual time', async () => {
    const fetchN = fakeFetcher(() => 42, { delay: 50 });
    const query = (): ReturnType<typeof test.client.query<number>> =>
      test.client.query<number>({ key: ['n'], fetch: fetchN, staleTime: 60_000, gcTime: 300_000 });
    // advance, not flush: flush would run on to the staleness timer of the subscribed query.
    let sub = query().subscribe();
    await test.advance(50);
    expect(test.client.getData(['n'])).toBe(42);
    sub.unsubscribe();
    await test.advance(30_000);
    sub = query().subscribe(); // still fresh: no fetch
    await test.advance(50);
    expect(fetchN.calls).toHaveLength(1);
    sub.unsubscribe();
    await test.advance(30_000);
    sub = query().subscribe(); // stale now
    await test.advance(50);
    expect(fetchN.calls.map((call) => call.at - fetchN.calls[0]!.at)).toEqual([0, 60_100]);
    sub.unsubscribe();
    await test.advance(299_000);
    expect(test.client.getData(['n'])).toBe(42);
    await test.advance(1000); // gcTime after the last unsubscribe
    expect(test.client.getData(['n'])).toBeUndefined();
  });

  it('goOffline pauses a fetch without spending retries; goOnline resumes it and refetches stale queries', async () => {
    const fetchN = fakeFetcher(() => 1);
    test.goOffline();
    const states: QueryState<number>[] = [];
    test.client.query<number>({ key: ['n'], fetch: fetchN }).subscribe((s) => states.push(s));
    await test.advance(60_000);
    expect(fetchN.calls).toHaveLength(0);
    expect(states.at(-1)).toMatchObject({ fetchStatus: 'paused' });
    test.goOnline();
    await test.flush();
    expect(fetchN.calls).toHaveLength(1);
    expect(states.at(-1)).toMatchObject({ status: 'success', data: 1 });
    test.goOffline();
    test.goOnline(); // reconnect: stale data (staleTime 0) is fetched again
    await test.flush();
    expect(fetchN.calls).toHaveLength(2);
  });

  it('a fake fetcher sees the abort when the last subscriber leaves', async () => {
    const slow = fakeFetcher(() => 'late', { delay: 10_000 });
    const sub = test.client.query<string>({ key: ['slow'], fetch: slow }).subscribe();
    await test.advance(1000);
    sub.unsubscribe();
    await test.flush();
    expect(slow.calls).toHaveLength(1);
    expect(slow.calls[0]!.signal.aborted).toBe(true);
    expect(test.client.getData(['slow'])).toBeUndefined();
  });
});
