import type { FetchContext } from '../lib/query/options.js';
import type { QueryKey } from '../lib/query/queryKey.js';
import { RxSyncError } from '../lib/errors.js';

/** One call a {@link FakeFetcher} received. */
export interface FetchCall<K extends QueryKey = QueryKey> {
  readonly key: K;
  /** `Date.now()` when called: virtual time under a virtual clock. */
  readonly at: number;
  readonly signal: AbortSignal;
}

/** What a {@link FakeFetcher} answers: data, or a function of the call (may throw, or return a promise). */
export type FakeResponse<T, K extends QueryKey = QueryKey> = T | ((call: FetchCall<K>, index: number) => T | Promise<T>);

/** Options of {@link fakeFetcher}. */
export interface FakeFetcherOptions {
  /** Ms (virtual, under a virtual clock) each call takes before it answers. Default 0. */
  readonly delay?: number;
}

/**
 * A `fetch` for `client.query` that answers from the test and records every call. Aborted calls
 * (last subscriber gone, query cancelled) reject with `E_ABORTED`, as a real `fetch` would.
 */
export interface FakeFetcher<T, K extends QueryKey = QueryKey> {
  (context: FetchContext<K>): Promise<T>;
  /** Every call so far, in order. */
  readonly calls: readonly FetchCall<K>[];
  /** The next `times` calls fail with `error` (then answers resume). */
  failNext(error: unknown, times?: number): void;
  /** From now on, answers with `response`. */
  respond(response: FakeResponse<T, K>): void;
}

/**
 * Creates a {@link FakeFetcher}.
 *
 * @example
 * ```ts
 * const fetchTodos = fakeFetcher([{ id: 1, title: 'Write tests' }]);
 * fetchTodos.failNext(new Error('503'), 2); // two failures, then the list
 * client.query({ key: ['todos'], fetch: fetchTodos, retry: 3 }).subscribe(render);
 * await test.flush();
 * fetchTodos.calls.map((call) => call.at); // when each attempt happened, in virtual time
 * ```
 */
export function fakeFetcher<T, K extends QueryKey = QueryKey>(
  response: FakeResponse<T, K>,
  options: FakeFetcherOptions = {},
): FakeFetcher<T, K> {
  const calls: FetchCall<K>[] = [];
  const failures: unknown[] = [];
  let current = response;
  const delay = options.delay ?? 0;

  const answer = async (call: FetchCall<K>, index: number): Promise<T> => {
    if (failures.length > 0) throw failures.shift();
    return typeof current === 'function' ? (current as (call: FetchCall<K>, index: number) => T | Promise<T>)(call, index) : current;
  };
  const fetcher = (context: FetchContext<K>): Promise<T> => {
    const call: FetchCall<K> = { key: context.key, at: Date.now(), signal: context.signal };
    const index = calls.length;
    calls.push(call);
    const aborted = (): RxSyncError => new RxSyncError('E_ABORTED', `The fetch of ${JSON.stringify(context.key)} was aborted`);
    return new Promise<T>((resolve, reject) => {
      if (context.signal.aborted) return reject(aborted());
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(aborted());
      };
      context.signal.addEventListener('abort', onAbort, { once: true });
      const settle = (): void => {
        context.signal.removeEventListener('abort', onAbort);
        answer(call, index).then(resolve, reject);
      };
      // No delay: answer on the next microtask, so it needs no timer (nor a clock) to arrive.
      const timer = delay > 0 ? setTimeout(settle, delay) : undefined;
      if (timer === undefined) queueMicrotask(() => !context.signal.aborted && settle());
    });
  };
  return Object.assign(fetcher, {
    calls,
    failNext(error: unknown, times = 1) {
      for (let i = 0; i < times; i++) failures.push(error);
    },
    respond(next: FakeResponse<T, K>) {
      current = next;
    },
  });
}
