import { Observable, asyncScheduler, type MonoTypeOperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { RxSyncError } from '../lib/errors.js';

/** Options of {@link heartbeat}. */
export interface HeartbeatConfig {
  /** After this many ms without traffic, `ping` is called (and again every `interval` while silent). */
  interval: number;
  /** After this many ms without traffic the peer is declared dead: the stream errors `E_HEARTBEAT_TIMEOUT`. */
  timeout: number;
  /** Sends a probe the peer must answer (any answer counts). Omit to only watch for silence. */
  ping?: () => void;
  /** Clock and timers. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

/**
 * Watches a connection for silence. Any emission counts as a sign of life. When nothing arrives for
 * `interval` ms it calls `ping()` so a healthy but idle peer answers; when nothing arrives for
 * `timeout` ms it errors with an `RxSyncError` coded `E_HEARTBEAT_TIMEOUT`, which unsubscribes the
 * source (closing the dead socket) so a `reconnect` placed after it opens a fresh one.
 *
 * One timer per subscription, re-armed only when it fires: a busy stream pays one clock read per
 * message, not a timer reset.
 *
 * @example
 * ```ts
 * connection$.pipe(heartbeat({ interval: 15_000, timeout: 45_000, ping: () => send(ping) }), reconnect());
 * ```
 */
export function heartbeat<T>(config: HeartbeatConfig): MonoTypeOperatorFunction<T> {
  const { interval, timeout } = config;
  const scheduler = config.scheduler ?? asyncScheduler;
  return (source) =>
    new Observable<T>((subscriber) => {
      let lastSeen = scheduler.now();
      let lastPing = -Infinity;
      let timer: Subscription | undefined;

      const arm = (): void => {
        const quietSince = Math.max(lastSeen, lastPing);
        const nextPing = config.ping === undefined ? Infinity : quietSince + interval;
        const due = Math.min(nextPing, lastSeen + timeout);
        timer = scheduler.schedule(check, Math.max(0, due - scheduler.now()));
      };

      const check = (): void => {
        const now = scheduler.now();
        if (now - lastSeen >= timeout) {
          subscriber.error(
            new RxSyncError('E_HEARTBEAT_TIMEOUT', `No traffic from the peer for ${now - lastSeen} ms (timeout ${timeout} ms)`, {
              details: { timeout, silentFor: now - lastSeen },
            }),
          );
          return;
        }
        if (config.ping !== undefined && now - Math.max(lastSeen, lastPing) >= interval) {
          lastPing = now;
          config.ping();
        }
        if (!subscriber.closed) arm();
      };

      const subscription = source.subscribe({
        next: (value) => {
          lastSeen = scheduler.now();
          subscriber.next(value);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      if (!subscriber.closed) arm();
      return () => {
        timer?.unsubscribe();
        subscription.unsubscribe();
      };
    });
}
