import { Observable, type OperatorFunction } from 'rxjs';
import { RxSyncError } from '../lib/errors.js';
import type { CacheHost } from '../lib/query/cacheHost.js';
import { sharedQueryConfig, subscribeShared } from '../lib/query/sharedQuery.js';
import { hashQueryKey, type QueryKey } from '../lib/query/queryKey.js';
import type { QueryState } from '../lib/query/queryState.js';

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

/**
 * Read-through, stale-while-revalidate caching of a fetch: subscribers get the cached state for
 * `key` at once, a refetch starts when it is stale (one run shared by every subscriber of the
 * key), and results land in the cache for everyone. The last unsubscribe cancels the run and
 * plans garbage collection after `gcTime`. Subscribers of one piped Observable share one stream
 * (one `select` per change).
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
  return (source) => {
    const config = sharedQueryConfig<T, S>({ ...options, refetchInterval: interval }, source);
    const makeSource = (): Observable<T> => source;
    return new Observable<QueryState<S>>((subscriber) =>
      subscribeShared(host, host.cache.build<T>(hashed), key, config, makeSource, subscriber),
    );
  };
}
