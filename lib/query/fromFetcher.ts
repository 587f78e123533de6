import { Observable } from 'rxjs';
import { RxSyncError } from '../errors.js';
import { batch } from '../signals/graph.js';
import type { QueryKey } from './queryKey.js';

/**
 * Turns a promise-returning fetcher into a cold Observable: each subscription calls it with a
 * fresh `AbortSignal`, which aborts if the subscriber leaves before the promise settles. A
 * fetcher that throws synchronously becomes an `E_FETCH_THREW` error, never an exception.
 */
export function fromFetcher<T, C extends { signal: AbortSignal }>(
  fetcher: (context: C) => Promise<T> | T,
  context: Omit<C, 'signal'>,
  key: QueryKey,
): Observable<T> {
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    let settled = false;
    let result: Promise<T> | T;
    try {
      result = fetcher({ ...context, signal: controller.signal } as C);
    } catch (cause) {
      subscriber.error(
        new RxSyncError('E_FETCH_THREW', `The fetcher of query ${JSON.stringify(key)} threw: ${describe(cause)}`, { cause }),
      );
      return;
    }
    Promise.resolve(result).then(
      (value) => {
        settled = true;
        // One notification for "data arrived" and "fetch ended": no transient success-while-fetching.
        batch(() => {
          subscriber.next(value);
          subscriber.complete();
        });
      },
      (error: unknown) => {
        settled = true;
        subscriber.error(error);
      },
    );
    return () => {
      if (!settled) controller.abort(new RxSyncError('E_ABORTED', 'Query cancelled: nobody is subscribed any more'));
    };
  });
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
