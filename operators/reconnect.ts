import { Observable, asyncScheduler, type MonoTypeOperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { backoffDelay } from '../lib/backoff.js';
import { RxSyncError } from '../lib/errors.js';

/** Options of {@link reconnect}. */
export interface ReconnectConfig<T = unknown> {
  /** Delay before the first reconnect, in ms. Default 1000. */
  initialDelay?: number;
  /** Upper bound for a delay, in ms. Default 30000. */
  maxDelay?: number;
  /** Growth factor per consecutive failure. Default 2. */
  multiplier?: number;
  /** Consecutive failures tolerated before giving up with `E_RECONNECT_EXHAUSTED`. Default Infinity. */
  maxAttempts?: number;
  /** `'full'` (default) spreads a crowd of clients over the whole delay; `'none'` waits exactly. */
  jitter?: 'full' | 'none';
  /** Random source for the jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Return false to give up on this error at once (it is rethrown as is). Default: always reconnect. */
  shouldReconnect?: (error: unknown) => boolean;
  /** Which emission counts as "connected" and resets the failure count. Default: the first of each connection. */
  isOpen?: (value: T) => boolean;
  /**
   * When given, a connection counts as healthy (and resets the failure count) only when this emits
   * while it is up, not on `isOpen`: a server that accepts the socket and then refuses the session
   * must not reset the backoff on every attempt.
   */
  healthy$?: Observable<unknown>;
  /**
   * Return true for an error that retrying cannot fix (credentials refused, room forbidden): no
   * reconnect is scheduled and `onParked` is called; only `resume$` connects again.
   */
  isFinal?: (error: unknown) => boolean;
  /**
   * Return true for an error that asks the client to come back at once (the hub is draining and
   * another is ready): when it is the first failure in a row, the next attempt does not wait. It
   * still counts as a failure, and later ones back off as usual, so two hubs refusing in turn
   * cannot make a tight loop.
   */
  isImmediate?: (error: unknown) => boolean;
  /** Called when a final error parks the connection. */
  onParked?: (error: unknown) => void;
  /** Each emission while parked or waiting connects at once, with a fresh failure count (e.g. a new token). */
  resume$?: Observable<unknown>;
  /** Called when a reconnect is scheduled: `attempt` is 1-based, `delay` in ms. */
  onReconnect?: (attempt: number, delay: number, error: unknown) => void;
  /** Scheduler of the waits. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /**
   * Each emission cuts a pending wait short and reconnects at once (e.g. the device came back
   * online: waiting out a long backoff would only delay the sync). The failure count is kept.
   */
  retryNow$?: Observable<unknown>;
}

/**
 * Resubscribes to a connection-like source when it errors, waiting an exponential, capped delay
 * with full jitter between attempts (the shared `backoffDelay`). Unlike `retry`, the failure count
 * resets only once the source shows it is open again (its first emission by default), so a
 * connection that opens and drops starts over at the shortest delay while one that never opens
 * backs off (with `healthy$`, only a connection that proved healthy starts over), an error that
 * `isImmediate` recognises after a healthy connection is retried without waiting, an error that
 * `isFinal` recognises parks it until `resume$`, and, with `maxAttempts`, gives up with an `RxSyncError` coded `E_RECONNECT_EXHAUSTED`
 * whose `cause` is the last error.
 *
 * @example
 * ```ts
 * connection$.pipe(reconnect({ initialDelay: 500, maxDelay: 10_000, maxAttempts: 20, jitter: 'full' }));
 * ```
 */
export function reconnect<T>(config: ReconnectConfig<T> = {}): MonoTypeOperatorFunction<T> {
  const maxAttempts = config.maxAttempts ?? Infinity;
  const scheduler = config.scheduler ?? asyncScheduler;
  const random = config.random ?? Math.random;
  const backoff = {
    initialDelay: config.initialDelay ?? 1000,
    maxDelay: config.maxDelay ?? 30_000,
    multiplier: config.multiplier ?? 2,
    jitter: config.jitter ?? 'full',
  };
  return (source) =>
    new Observable<T>((subscriber) => {
      // Per-subscription state: one operator instance serves many subscribers.
      let failures = 0;
      let connection: Subscription | undefined;
      let wait: Subscription | undefined;
      let parked = false;
      let connected = false;

      const connect = (): void => {
        wait = undefined;
        parked = false;
        connected = true;
        let opened = false;
        connection = source.subscribe({
          next: (value) => {
            if (!opened && (config.isOpen === undefined || config.isOpen(value))) {
              opened = true;
              if (config.healthy$ === undefined) failures = 0;
            }
            subscriber.next(value);
          },
          error: (error: unknown) => {
            connected = false;
            failures++;
            if (config.shouldReconnect !== undefined && !config.shouldReconnect(error)) {
              subscriber.error(error);
              return;
            }
            if (config.isFinal?.(error) === true) {
              parked = true;
              config.onParked?.(error);
              return;
            }
            if (failures > maxAttempts) {
              subscriber.error(
                new RxSyncError('E_RECONNECT_EXHAUSTED', `Gave up reconnecting after ${maxAttempts} attempts`, {
                  cause: error,
                  details: { attempts: maxAttempts },
                }),
              );
              return;
            }
            const delay = failures === 1 && config.isImmediate?.(error) === true ? 0 : backoffDelay(failures, backoff, random);
            config.onReconnect?.(failures, delay, error);
            // The callback may have unsubscribed us; do not schedule into a closed subscriber.
            if (!subscriber.closed) wait = scheduler.schedule(connect, delay);
          },
          complete: () => subscriber.complete(),
        });
      };

      const healthy = config.healthy$?.subscribe(() => {
        if (connected) failures = 0;
      });
      connect();
      const retryNow = config.retryNow$?.subscribe(() => {
        if (wait === undefined || subscriber.closed) return;
        wait.unsubscribe();
        connect();
      });
      const resume = config.resume$?.subscribe(() => {
        if ((wait === undefined && !parked) || subscriber.closed) return;
        wait?.unsubscribe();
        failures = 0;
        connect();
      });
      return () => {
        healthy?.unsubscribe();
        resume?.unsubscribe();
        retryNow?.unsubscribe();
        wait?.unsubscribe();
        connection?.unsubscribe();
      };
    });
}
