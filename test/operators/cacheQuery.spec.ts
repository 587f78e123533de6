import { map, mergeMap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { cacheQuery } from '../../operators/cacheQuery.js';
import { createClient, createFocusManager, createOnlineManager, hashQueryKey, type QueryClient, type QueryState } from '../../lib/index.js';

const summary = (s: QueryState<unknown>): string =>
  `${s.status}${s.isFetching ? '…' : ''}${s.data === undefined ? '' : `:${String(s.data)}`}`;

function setup(): { scheduler: TestScheduler; client: QueryClient } {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const client = createClient({ online: createOnlineManager(), focus: createFocusManager(), now: () => scheduler.now() });
  return { scheduler, client };
}

describe('cacheQuery', () => {
  it('emits the cached state at once, fetches when stale, and shares the run', () => {
    const { scheduler, client } = setup();
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = cold('--a|');
      const query$ = source.pipe(cacheQuery(client, ['k'])).pipe(map(summary));
      const late$ = hot('-x|').pipe(mergeMap(() => query$));
      const values = { p: 'pending…', f: 'success…:a', s: 'success:a' };
      expectObservable(query$).toBe('p-fs', values);
      expectObservable(late$).toBe('-pfs', values);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    client.clear();
  });

  it('serves fresh data from the cache without subscribing to the source', () => {
    const { scheduler, client } = setup();
    client.setData(['k'], 'cached');
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--a|');
      expectObservable(source.pipe(cacheQuery(client, ['k'], { staleTime: Infinity }), map(summary))).toBe('c', { c: 'success:cached' });
      expectSubscriptions(source.subscriptions).toBe([]);
    });
    client.clear();
  });

  it('stale data is shown while it revalidates', () => {
    const { scheduler, client } = setup();
    client.setData(['k'], 'old');
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-n|');
      expectObservable(source.pipe(cacheQuery(client, ['k'], { staleTime: 0 }), map(summary))).toBe('ofs', {
        o: 'success…:old',
        f: 'success…:n',
        s: 'success:n',
      });
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
    client.clear();
  });

  it('the last unsubscribe cancels the run', () => {
    const { scheduler, client } = setup();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-----a|');
      const query$ = source.pipe(cacheQuery(client, ['k']));
      expectObservable(query$.pipe(map(summary)), '^-!').toBe('p', { p: 'pending…' });
      expectObservable(query$.pipe(map(summary)), '^---!').toBe('p', { p: 'pending…' });
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
    expect(client.cache.get(hashQueryKey(['k']))?.state.get().fetchStatus).toBe('idle');
    client.clear();
  });

  it('a failed run lands in state as an error; subscribers do not error', () => {
    const { scheduler, client } = setup();
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('--#', undefined, new Error('boom'));
      expectObservable(
        source.pipe(
          cacheQuery(client, ['k']),
          map((s) => `${s.status}:${(s.error as Error | null)?.message ?? ''}`),
        ),
      ).toBe('p-e', {
        p: 'pending:',
        e: 'error:boom',
      });
    });
    client.clear();
  });

  it('select and placeholder shape what subscribers see', () => {
    const { scheduler, client } = setup();
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('-a|', { a: [1, 2, 3] });
      const query$ = source.pipe(cacheQuery<number[], number>(client, ['list'], { select: (xs) => xs.length, placeholder: 0 }));
      expectObservable(query$.pipe(map((s) => `${s.data}${s.isPlaceholderData ? '?' : ''}`))).toBe('pss', { p: '0?', s: '3' });
    });
    client.clear();
  });

  it('refuses a negative or non-finite refetchInterval; 0 plans no timer', () => {
    const { scheduler, client } = setup();
    for (const refetchInterval of [-1, Infinity, Number.NaN]) {
      expect(() => cacheQuery(client, ['k'], { refetchInterval })).toThrow(/refetchInterval/);
    }
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a|');
      // With 0 as "every 0 ms" the source would be subscribed again and again; 0 is off.
      expectObservable(source.pipe(cacheQuery(client, ['k'], { refetchInterval: 0 }), map(summary)), '^-----!').toBe('pfs', {
        p: 'pending…',
        f: 'success…:a',
        s: 'success:a',
      });
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
    client.clear();
  });
});
