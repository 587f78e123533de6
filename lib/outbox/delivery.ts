import { Observable, catchError, map, of, throwError } from 'rxjs';
import { retryBackoff } from '../../operators/retryBackoff.js';
import { backoffDelay, type BackoffOptions } from '../backoff.js';
import type { OutboxOp } from './outboxOp.js';
import { errorMessage, type OutboxOutcome } from './outboxOutcome.js';
import type { OutboxSender } from './outboxTypes.js';
import { isRefusal } from './refusedError.js';

/** How failed deliveries are retried (the outbox's options). */
export interface DeliveryPolicy {
  /** Backoff between transient failures, and how many deliveries in all before giving up. */
  readonly retry: BackoffOptions & { maxAttempts?: number };
  readonly isTransient: (error: unknown) => boolean;
  /** Retries wait while this says offline. */
  readonly online$: Observable<boolean>;
  /** Told of each failure that will be retried, with the op's new attempt count and last error. */
  readonly onRetrying: (op: OutboxOp) => void;
}

/**
 * Delivers one op until it has an outcome: a cold Observable that calls `sender` on subscribe,
 * retries transient failures through `retryBackoff` (waiting while offline, counting every
 * failure in the op's `attempts`), and emits one {@link OutboxOutcome}. A `RefusedError`, an
 * error `isTransient` calls permanent, or the last of `maxAttempts` ends it as failed.
 * Unsubscribing aborts the sender's signal and cancels a pending retry.
 */
export function delivery(op: OutboxOp, sender: OutboxSender, policy: DeliveryPolicy): Observable<OutboxOutcome> {
  const backoff: BackoffOptions = { initialDelay: 1000, maxDelay: 60_000, ...policy.retry };
  const maxAttempts = policy.retry.maxAttempts ?? Infinity;
  // The op as last attempted; shared by every resubscription retryBackoff makes.
  let current = op;
  return attempt(() => current, sender).pipe(
    map((result): OutboxOutcome => ({ ok: true, op: current, result })),
    catchError((error: unknown) => {
      current = { ...current, attempts: current.attempts + 1, lastError: errorMessage(error) };
      const retried = !isRefusal(error) && policy.isTransient(error) && current.attempts < maxAttempts;
      if (!retried) return of<OutboxOutcome>({ ok: false, op: current, error });
      policy.onRetrying(current);
      return throwError(() => error);
    }),
    // Only retried errors reach here, so it never gives up by itself; attempts persist across reloads.
    retryBackoff({ maxAttempts: Infinity, delay: () => backoffDelay(current.attempts, backoff), online$: policy.online$ }),
  );
}

/** One call of the sender as a cold Observable; unsubscribing before it answered aborts it. */
function attempt(op: () => OutboxOp, sender: OutboxSender): Observable<unknown> {
  return new Observable<unknown>((subscriber) => {
    const controller = new AbortController();
    let answered = false;
    const sending = op();
    let answer: Promise<unknown>;
    try {
      answer = Promise.resolve(sender(sending, { signal: controller.signal, idempotencyKey: sending.id }));
    } catch (error) {
      answer = Promise.reject(error); // a sender that throws before returning its promise fails the same way
    }
    answer.then(
      (result) => {
        answered = true;
        subscriber.next(result);
        subscriber.complete();
      },
      (error: unknown) => {
        answered = true;
        subscriber.error(error);
      },
    );
    return () => {
      if (!answered) controller.abort();
    };
  });
}
