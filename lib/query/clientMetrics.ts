import { Observable, type Subscription } from 'rxjs';
import type { Metrics } from '../metrics/registry.js';
import type { Outbox } from '../outbox/outbox.js';
import type { QueryCache } from './queryCache.js';
import type { HashedKey } from './queryKey.js';

/** The instruments a client records into when `createClient({ metrics })` is given. */
export interface ClientMetrics {
  /** Counts a subscription that found fresh data (hit) or had to fetch (miss). */
  lookup<T>(source: Observable<T>, cache: QueryCache, hashed: HashedKey, staleTime: number): Observable<T>;
  /** Wraps a fetch function to time it. */
  timed<A extends unknown[], R>(fetch: (...args: A) => Promise<R> | R): (...args: A) => Promise<R>;
  retried(): void;
  reconnected(): void;
  /** Follows the outbox's depth; returns the subscription to end it. */
  watchOutbox(outbox: Outbox): Subscription;
}

/**
 * Registers a client's metrics in `metrics` (the registry type the hub serves at `/metrics`):
 * `rxsync_cache_hits_total`, `rxsync_cache_misses_total`, `rxsync_fetch_seconds`,
 * `rxsync_fetch_errors_total`, `rxsync_retries_total`, `rxsync_reconnects_total`, `rxsync_outbox_depth`.
 *
 * @example
 * ```ts
 * const registry = createMetrics();
 * const client = createClient({ metrics: clientMetrics(registry) });
 * serveText('/metrics', () => registry.render());
 * ```
 */
export function clientMetrics(metrics: Metrics): ClientMetrics {
  const hits = metrics.counter({ name: 'rxsync_cache_hits_total', help: 'Query subscriptions served from fresh cached data' });
  const misses = metrics.counter({ name: 'rxsync_cache_misses_total', help: 'Query subscriptions that had to fetch' });
  const fetchSeconds = metrics.histogram({ name: 'rxsync_fetch_seconds', help: 'Duration of fetch calls' });
  const fetchErrors = metrics.counter({ name: 'rxsync_fetch_errors_total', help: 'Fetch calls that failed' });
  const retries = metrics.counter({ name: 'rxsync_retries_total', help: 'Fetch retries after a failure' });
  const reconnects = metrics.counter({ name: 'rxsync_reconnects_total', help: 'Transport reconnect attempts of live rooms' });
  const depth = metrics.gauge({ name: 'rxsync_outbox_depth', help: 'Ops waiting in the outbox' });
  const clock = (): number => (globalThis.performance ?? Date).now();

  return {
    lookup: (source, cache, hashed, staleTime) =>
      new Observable((subscriber) => {
        const entry = cache.get(hashed);
        if (entry !== undefined && entry.current.status === 'success' && !entry.isStale(staleTime)) hits.inc();
        else misses.inc();
        return source.subscribe(subscriber);
      }),
    timed:
      (fetch) =>
      async (...args) => {
        const started = clock();
        try {
          return await fetch(...args);
        } catch (error) {
          fetchErrors.inc();
          throw error;
        } finally {
          fetchSeconds.observe((clock() - started) / 1000);
        }
      },
    retried: () => retries.inc(),
    reconnected: () => reconnects.inc(),
    watchOutbox: (outbox) => outbox.pending$.subscribe((n) => depth.set(n)),
  };
}
