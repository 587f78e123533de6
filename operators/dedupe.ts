import { defer, finalize, share, type MonoTypeOperatorFunction, type Observable } from 'rxjs';
import { hashQueryKey, type QueryKey } from '../lib/query/queryKey.js';

/** In-flight runs by key. Give several `dedupe` calls the same map to share runs between them. */
export type InflightRegistry = Map<string, Observable<unknown>>;

let defaultRegistry: InflightRegistry | undefined;

/**
 * Shares one in-flight run of the source per key: while a run for `key` is active, every new
 * subscriber joins it instead of starting another request. The run is unsubscribed (its request
 * aborted) when its last subscriber leaves, and forgotten when it ends, so the next subscriber
 * after that starts a fresh one.
 *
 * @example
 * ```ts
 * const todos$ = defer(() => fetchTodos()).pipe(dedupe(['todos']));
 * todos$.subscribe(render); todos$.subscribe(count); // one request
 * ```
 */
export function dedupe<T>(key: string | QueryKey, registry?: InflightRegistry): MonoTypeOperatorFunction<T> {
  const id = typeof key === 'string' ? key : hashQueryKey(key).hash;
  return (source) =>
    defer(() => {
      const inflight = registry ?? (defaultRegistry ??= new Map());
      let run = inflight.get(id) as Observable<T> | undefined;
      if (run === undefined) {
        const created: Observable<T> = source.pipe(
          finalize(() => {
            // A newer run may already stand under this key; only forget our own.
            if (inflight.get(id) === created) inflight.delete(id);
          }),
          share(),
        );
        inflight.set(id, created);
        run = created;
      }
      return run;
    });
}
