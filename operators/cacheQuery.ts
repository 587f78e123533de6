import { Observable, Subscription, type OperatorFunction } from 'rxjs';
import { RxSyncError } from '../lib/errors.js';
import type { CacheHost } from '../lib/query/cacheHost.js';
import type { EntryState } from '../lib/query/entryState.js';
import { hashQueryKey, type QueryKey } from '../lib/query/queryKey.js';
import { toQueryState, type QueryState } from '../lib/query/queryState.js';

/** Options of {@link cacheQuery}; `client.query` fills them from its own options and defaults. */
export interface CacheQueryOptions<T, S = T> {
  /** Fresh for this many ms: subscribing does not refetch fresh data. Default 0. */
  staleTime?: number;
  /** Kept this long after the last subscriber leaves. Default 5 minutes. */
  gcTime?: number;
  /** When false, never fetches. Default true. */
  enabled?: boolean;
  /** Refetch when the network comes back: if stale (`true`), always, or never. Default true. */
  refetchOnReconnect?: boolean | 'always';
  /** Refetch when the page is focused again: if stale (`true`), always, or never. Default true. */
  refetchOnFocus?: boolean | 'always';
  /** Refetch every this many ms while subscribed; `0` or `false` is off. Default false. */
  refetchInterval?: number | false;
  /** Derives what subscribers see; recomputed only when the data changes. */
  select?: (data: T) => S;
  /** Shown while there is no data yet. */
  placeholder?: S | (() => S | undefined);
}

const FIVE_MINUTES = 5 * 60 * 1000;
const ignore = (): void => {};

/**
 * Read-through, stale-while-revalidate caching of a fetch: subscribers get the cached state for
 * `key` at once, a refetch starts when it is stale (one run shared by every subscriber of the
 * key), and results land in the cache for everyone. The last unsubscribe cancels the run and
 * plans garbage collection after `gcTime`.
 *
 * @example
 * ```ts
 * const todos$ = defer(() => api.todos()).pipe(retryBackoff(3), cacheQuery(client, ['todos'], { staleTime: 10_000 }));
 * ```
 */
export function cacheQuery<T, S = T>(
  host: CacheHost,
  key: QueryKey,
  options: CacheQueryOptions<T, S> = {},
): OperatorFunction<T, QueryState<S>> {
  const hashed = hashQueryKey(key);
  const interval = options.refetchInterval ?? false;
  if (interval !== false && !(interval >= 0 && Number.isFinite(interval)))
    throw new RxSyncError(
      'E_OPTION_INVALID',
      `cacheQuery: option "refetchInterval" must be a finite number of ms ≥ 0 (0 = off) or false, got ${String(interval)}`,
    );
  const staleTime = options.staleTime ?? 0;
  const enabled = options.enabled ?? true;
  const refetchOnReconnect = options.refetchOnReconnect ?? true;
  const refetchOnFocus = options.refetchOnFocus ?? true;
  const selectData = deriveMemo(options.select);
  const placeholderOption = options.placeholder;
  const placeholder =
    placeholderOption === undefined
      ? undefined
      : typeof placeholderOption === 'function'
        ? (placeholderOption as () => S | undefined)
        : () => placeholderOption;

  return (source) => {
    // Shared by this Observable's subscribers: one derived state object per entry change,
    // not one per subscriber (cheap fan-out).
    let lastState: EntryState<T> | undefined;
    let lastStale = false;
    let lastResult: QueryState<S> | undefined;
    const derive = (state: EntryState<T>, stale: boolean): QueryState<S> => {
      if (state !== lastState || stale !== lastStale || lastResult === undefined) {
        try {
          lastResult = toQueryState(state, stale, selectData, placeholder);
        } catch (cause) {
          // A throwing select fails this observer only (as in TanStack Query): the shared entry,
          // its run and the other observers never see the exception. The last good data stays.
          const error = new RxSyncError('E_SELECT_THREW', `The select of query ${JSON.stringify(key)} threw: ${messageOf(cause)}`, {
            cause,
          });
          lastResult = { ...toQueryState(state, stale, () => lastResult?.data as S, undefined), status: 'error', error };
        }
        lastState = state;
        lastStale = stale;
      }
      return lastResult;
    };
    // With no time-based staleness, staleness follows the state alone: compute it once per state.
    const timeless = staleTime <= 0 || staleTime === Infinity;

    return new Observable<QueryState<S>>((subscriber) => {
      const entry = host.cache.build<T>(hashed);
      const isStale = (): boolean => staleTime <= 0 || entry.isStale(staleTime);
      const removeObserver = entry.addObserver({
        staleTime,
        refetchOnReconnect,
        refetchOnFocus,
        refetchInterval: interval,
        gcTime: options.gcTime ?? FIVE_MINUTES,
      });
      const run$ = entry.run(source);
      let run: Subscription | undefined;
      let staleTimer: ReturnType<typeof setTimeout> | undefined;
      let staleTimerFor = -1;
      const subs = new Subscription();

      const fetchNow = (): void => {
        if (!enabled || (run !== undefined && !run.closed)) return;
        run = run$.subscribe({ error: ignore });
      };
      const fetchIfStale = (): void => {
        if (isStale()) fetchNow();
      };
      const emit = (state: EntryState<T>): void => {
        const stale = timeless && state === lastState ? lastStale : isStale();
        subscriber.next(derive(state, stale));
        // Tell subscribers when fresh data turns stale, without waiting for another change.
        if (!stale && Number.isFinite(staleTime) && state.updatedAt !== staleTimerFor) {
          if (staleTimer !== undefined) clearTimeout(staleTimer);
          staleTimerFor = state.updatedAt;
          staleTimer = setTimeout(() => emit(entry.state.get()), state.updatedAt + staleTime - host.now() + 1);
          (staleTimer as { unref?: () => void }).unref?.();
        }
      };

      // Start the fetch first, so the very first emission already says isFetching.
      fetchIfStale();
      subs.add(entry.listen(emit));
      // Invalidation, refetch intervals, reconnect and focus all arrive here, decided per entry.
      subs.add(entry.refetchRequested$.subscribe(fetchNow));
      return () => {
        subs.unsubscribe();
        if (staleTimer !== undefined) clearTimeout(staleTimer);
        // Leaving the run cancels it if nobody else is in it (the fetcher's signal aborts).
        run?.unsubscribe();
        removeObserver();
      };
    });
  };
}

const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));

/** Applies `select` once per distinct data value (a throwing select is tried again on the next value). */
function deriveMemo<T, S>(select: ((data: T) => S) | undefined): (data: T) => S {
  if (select === undefined) return (data) => data as unknown as S;
  let input: T | undefined;
  let output: S | undefined;
  let primed = false;
  return (data) => {
    if (!primed || data !== input) {
      output = select(data);
      input = data;
      primed = true;
    }
    return output as S;
  };
}
