import { firstValueFrom, filter } from 'rxjs';
import { createClient, createFocusManager, createOnlineManager, type QueryClient, type QueryState } from '../../../lib/index.js';
import { sharedStreamCount } from '../../../lib/query/sharedQuery.js';
import type { QueryEntry } from '../../../lib/query/queryEntry.js';

const newClient = (): QueryClient => createClient({ online: createOnlineManager(), focus: createFocusManager() });
const entryOf = (client: QueryClient, key: readonly unknown[]): QueryEntry<unknown> => client.cache.find(key)!;

describe('client.query subscribers share one stream per key and equal options', () => {
  it('separate client.query calls on one key run select once per data change per distinct select', () => {
    const client = newClient();
    client.setData(['todos'], [1, 2, 3]);
    let sharedRuns = 0;
    const count = (todos: number[]): number => {
      sharedRuns++;
      return todos.length;
    };
    let ownRuns = 0;
    const seen: Array<number | undefined> = [];
    const subs = [];
    for (let i = 0; i < 50; i++) {
      // What components do: each calls client.query itself, with its own options object and key array.
      subs.push(
        client
          .query({ key: ['todos'], fetch: () => [] as number[], staleTime: Infinity, select: count })
          .subscribe((s) => seen.push(s.data)),
      );
    }
    const other = client
      .query({
        key: ['todos'],
        fetch: () => [] as number[],
        staleTime: Infinity,
        select: (todos: number[]) => {
          ownRuns++;
          return todos[0];
        },
      })
      .subscribe();
    expect(sharedRuns).toBe(1);
    expect(ownRuns).toBe(1);
    expect(sharedStreamCount(entryOf(client, ['todos']))).toBe(2);
    expect(entryOf(client, ['todos']).observerCount).toBe(51); // each subscriber counts (devtools show them)

    seen.length = 0;
    client.setData(['todos'], [1, 2, 3, 4]);
    expect(seen).toEqual(Array.from({ length: 50 }, () => 4)); // every subscriber told, once
    expect(sharedRuns).toBe(2);
    expect(ownRuns).toBe(2);
    subs.forEach((s) => s.unsubscribe());
    other.unsubscribe();
  });

  it('a throwing select fails only the subscribers of that select, as E_SELECT_THREW in their state', () => {
    const client = newClient();
    client.setData(['n'], 1);
    const good: Array<QueryState<number>> = [];
    const bad: Array<QueryState<number>> = [];
    const boom = (): number => {
      throw new Error('boom');
    };
    const a = client.query({ key: ['n'], fetch: () => 1, staleTime: Infinity }).subscribe((s) => good.push(s));
    const b = client.query({ key: ['n'], fetch: () => 1, staleTime: Infinity, select: boom }).subscribe((s) => bad.push(s));
    expect(good.at(-1)).toMatchObject({ status: 'success', data: 1 });
    expect(bad.at(-1)).toMatchObject({ status: 'error', error: expect.objectContaining({ code: 'E_SELECT_THREW' }) });
    a.unsubscribe();
    b.unsubscribe();
  });

  it('different staleTimes do not share: each stream decides its own fetch', async () => {
    const client = newClient();
    client.setData(['x'], 'cached');
    let fetches = 0;
    const fetch = (): Promise<string> => Promise.resolve(`fetched ${++fetches}`);
    const fresh = client.query({ key: ['x'], fetch, staleTime: Infinity }).subscribe();
    expect(fetches).toBe(0);
    const eager = client.query({ key: ['x'], fetch, staleTime: 0 });
    const settledState = await firstValueFrom(eager.pipe(filter((s) => !s.isFetching && s.data !== 'cached')));
    expect(settledState.data).toBe('fetched 1');
    expect(fetches).toBe(1);
    fresh.unsubscribe();
  });

  it('leaves nothing behind after 10,000 subscribe/unsubscribe cycles: no stream, no observer, entry kept for its gc time', () => {
    const client = newClient();
    client.setData(['todos'], []);
    const anchor = client.query({ key: ['todos'], fetch: () => [], staleTime: Infinity }).subscribe();
    const entry = entryOf(client, ['todos']);
    for (let i = 0; i < 10_000; i++) {
      client
        .query({ key: ['todos'], fetch: () => [], staleTime: Infinity, select: i % 2 === 0 ? undefined : (d: unknown[]) => d.length })
        .subscribe(() => {})
        .unsubscribe();
    }
    // The anchor's stream is the only one left, with the anchor as its only subscriber.
    expect(sharedStreamCount(entry)).toBe(1);
    expect(entry.observerCount).toBe(1);
    anchor.unsubscribe();
    expect(sharedStreamCount(entry)).toBe(0);
    expect(entry.observerCount).toBe(0);
    expect(client.cache.find(['todos'])).toBe(entry); // still cached until its gc time
  });

  it('the last unsubscribe of a shared stream aborts the run it started', async () => {
    const client = newClient();
    let aborted = false;
    const fetch = ({ signal }: { signal: AbortSignal }): Promise<number> =>
      new Promise((_, reject) => {
        signal.addEventListener('abort', () => {
          aborted = true;
          reject(signal.reason);
        });
      });
    const first = client.query({ key: ['slow'], fetch }).subscribe();
    const second = client.query({ key: ['slow'], fetch }).subscribe();
    expect(entryOf(client, ['slow']).current.fetchStatus).toBe('fetching');
    first.unsubscribe();
    expect(aborted).toBe(false); // the other subscriber still waits
    second.unsubscribe();
    expect(aborted).toBe(true);
    await Promise.resolve();
    expect(entryOf(client, ['slow']).current.fetchStatus).toBe('idle');
  });
});
