import { Observable, timer, type MonoTypeOperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { backoffDelay, type BackoffOptions } from '../lib/backoff.js';

/** Configuration of {@link retryBackoff}. */
export interface RetryBackoffConfig extends BackoffOptions {
  /** Retries after the first failure. Default 3; `Infinity` never gives up. */
  maxAttempts?: number;
  /** Whether to retry this error; `failureCount` counts failures so far (1 on the first). */
  shouldRetry?: (error: unknown, failureCount: number) => boolean;
  /** Replaces the exponential formula: ms to wait before retry number `failureCount`. */
  delay?: (failureCount: number, error: unknown) => number;
  /**
   * Online state. While it says `false`, a failure does not count as an attempt and the retry
   * waits until it says `true` again.
   */
  online$?: Observable<boolean>;
  /**
   * Also wait for `online$` before the first attempt, so nothing is tried that can only fail
   * (TanStack Query's `networkMode: 'online'`). Default false: the first attempt always runs.
   */
  waitForNetwork?: boolean;
  /** Told when the operator starts waiting for the network (before an attempt or a retry). */
  onPause?: () => void;
  /** Told when the network is back and the waiting attempt starts. */
  onContinue?: () => void;
  /** Reset the failure count whenever the source emits (for long-lived streams). Default false. */
  resetOnSuccess?: boolean;
  /** Told before each retry is scheduled: the error, the failure count and the delay chosen. */
  onRetry?: (error: unknown, failureCount: number, delayMs: number) => void;
  /** Random source for jitter, injectable for deterministic tests. */
  random?: () => number;
  /** Scheduler for the delays. Default: RxJS's async scheduler. */
  scheduler?: SchedulerLike;
}

/**
 * Resubscribes to the source after an error, waiting an exponentially growing delay with full
 * jitter (capped at `maxDelay`), at most `maxAttempts` times, and only for errors `shouldRetry`
 * accepts. While `online$` says offline it waits for the network instead of spending attempts.
 *
 * @example
 * ```ts
 * defer(() => fetch('/api/todos')).pipe(
 *   retryBackoff({ maxAttempts: 5, initialDelay: 500, shouldRetry: (err) => !isClientError(err) }),
 * );
 * retryBackoff(3); // short form: 3 retries with the default delays
 * ```
 */
export function retryBackoff<T>(maxAttempts: number): MonoTypeOperatorFunction<T>;
export function retryBackoff<T>(config?: RetryBackoffConfig): MonoTypeOperatorFunction<T>;
export function retryBackoff<T>(configOrCount: number | RetryBackoffConfig = {}): MonoTypeOperatorFunction<T> {
  const config: RetryBackoffConfig = typeof configOrCount === 'number' ? { maxAttempts: configOrCount } : configOrCount;
  const maxAttempts = config.maxAttempts ?? 3;
  return (source) =>
    new Observable<T>((subscriber) => {
      let failures = 0;
      let online = true;
      let whenOnline: (() => void) | undefined;
      let sourceSub: Subscription | undefined;
      let timerSub: Subscription | undefined;
      const onlineSub = config.online$?.subscribe((value) => {
        online = value;
        if (value && whenOnline !== undefined) {
          const resume = whenOnline;
          whenOnline = undefined;
          config.onContinue?.();
          resume();
        }
      });
      const pause = (): void => {
        whenOnline = start;
        config.onPause?.();
      };

      const start = (): void => {
        sourceSub?.unsubscribe();
        sourceSub = source.subscribe({
          next: (value) => {
            if (config.resetOnSuccess) failures = 0;
            subscriber.next(value);
          },
          error: onError,
          complete: () => subscriber.complete(),
        });
      };

      const startWhenOnline = (): void => {
        if (online) start();
        else pause();
      };

      function onError(error: unknown): void {
        if (!online) {
          // Offline failures say nothing about the server: wait for the network, keep the budget.
          pause();
          return;
        }
        failures++;
        if (failures > maxAttempts || (config.shouldRetry !== undefined && !config.shouldRetry(error, failures))) {
          subscriber.error(error);
          return;
        }
        const ms = Math.max(0, config.delay?.(failures, error) ?? backoffDelay(failures, config, config.random));
        config.onRetry?.(error, failures, ms);
        timerSub = timer(ms, config.scheduler).subscribe(startWhenOnline);
      }

      if (config.waitForNetwork) startWhenOnline();
      else start();
      return () => {
        // Order matters: stop pending retries before dropping the source, so none fires after.
        timerSub?.unsubscribe();
        onlineSub?.unsubscribe();
        whenOnline = undefined;
        sourceSub?.unsubscribe();
      };
    });
}
