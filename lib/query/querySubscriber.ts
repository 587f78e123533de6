import type { Observable, Subscriber, TeardownLogic } from 'rxjs';
import { retryBackoff } from '../../operators/retryBackoff.js';
import type { CacheHost } from './cacheHost.js';
import type { ClientMetrics } from './clientMetrics.js';
import { fromFetcher } from './fromFetcher.js';
import type { FetchContext, QueryOptions, SharedQueryOptions } from './options.js';
import { hashNewKey, type HashedKey, type QueryKey } from './queryKey.js';
import type { QueryState } from './queryState.js';
import { queryRetry } from './retryConfig.js';
import { sharedQueryConfig, subscribeShared } from './sharedQuery.js';

/** @internal Subscribes one `client.query` subscriber; returns its teardown. */
export type QuerySubscribe = <T, S, K extends QueryKey>(
  options: QueryOptions<T, S, K>,
  subscriber: Subscriber<QueryState<S>>,
) => TeardownLogic;

/**
 * @internal What `client.query` does when subscribed: the subscriber joins the stream of the
 * subscribers of the same key with equal options (one `select`, one derived state per change for
 * all of them), or starts one. A stream fetches with the `fetch` of the subscriber that started
 * it: as in TanStack Query, the queries of one key are expected to fetch the same thing.
 */
export function querySubscriber(host: CacheHost, defaults: SharedQueryOptions, metrics: ClientMetrics | undefined): QuerySubscribe {
  const { cache, online } = host;
  const noDefaults = Object.keys(defaults).length === 0;

  /** The fetch of a query with its retries, as the shared run of its entry runs it. */
  const fetchPipeline = <T, S, K extends QueryKey>(o: QueryOptions<T, S, K>, hashed: HashedKey): Observable<T> => {
    const fetch = metrics === undefined ? o.fetch : metrics.timed(o.fetch);
    return fromFetcher<T, FetchContext<K>>(fetch, { key: o.key }, o.key).pipe(
      retryBackoff({
        ...queryRetry(o, online, () => cache.build(hashed)),
        onRetry: (error, failureCount) => {
          metrics?.retried();
          cache.build<T>(hashed).dispatch({ type: 'failure', error, failureCount });
        },
      }),
    );
  };

  return <T, S, K extends QueryKey>(queryOptions: QueryOptions<T, S, K>, subscriber: Subscriber<QueryState<S>>): TeardownLogic => {
    const o: QueryOptions<T, S, K> = noDefaults ? queryOptions : { ...defaults, ...queryOptions };
    const entry = cache.find<T>(o.key) ?? cache.build<T>(hashNewKey(o.key));
    const config = sharedQueryConfig<T, S>(o, host);
    return subscribeShared(host, entry, o.key, config, () => fetchPipeline(o, entry.key), subscriber);
  };
}
