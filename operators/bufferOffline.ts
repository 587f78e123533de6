import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { onlineManager } from '../lib/environment/onlineManager.js';
import type { Outbox } from '../lib/outbox/outbox.js';

/** Options of {@link bufferOffline}. */
export interface BufferOfflineOptions {
  /** Outbox op name for this stream's values (one stream per name). */
  name: string;
  /** Online state. Default: `onlineManager`. */
  online$?: Observable<boolean>;
}

/**
 * Passes values through while online; while offline, each value goes durably into the outbox and
 * flows on, in order, once the network is back — also after a reload, as soon as a stream with the
 * same `name` is subscribed again. Values queued behind earlier ones wait their turn even when
 * online, so order is kept. Completes once everything buffered has flowed on; errors with the
 * outbox's coded error (e.g. `E_OUTBOX_FULL`) if a value cannot be kept.
 *
 * @example
 * ```ts
 * edits$.pipe(bufferOffline(outbox, { name: 'edits' })).subscribe((edit) => socket.send(edit));
 * ```
 */
export function bufferOffline<T>(outbox: Outbox, options: BufferOfflineOptions): MonoTypeOperatorFunction<T> {
  const { name } = options;
  return (source) =>
    new Observable<T>((subscriber) => {
      let online = true;
      let sourceDone = false;
      let enqueuing = 0; // values on their way into storage: later values must queue behind them
      const buffered = (): boolean => enqueuing > 0 || outbox.pendingOps().some((op) => op.name === name);
      const completeIfDone = (): void => {
        if (sourceDone && !buffered()) subscriber.complete();
      };
      // The outbox "delivers" a buffered value by emitting it downstream; its ack removes it.
      const unregister = outbox.register<T>(name, async (op) => {
        subscriber.next(op.payload);
      });
      const onlineSub = (options.online$ ?? onlineManager.value$).subscribe((value) => (online = value));
      const ackSub = outbox.ack$.subscribe(({ op }) => {
        if (op.name === name) completeIfDone();
      });
      const sourceSub = source.subscribe({
        next: (value) => {
          if (online && !buffered()) subscriber.next(value);
          else {
            enqueuing++;
            outbox
              .enqueue(name, value, { scope: name })
              .catch((err: unknown) => subscriber.error(err))
              .finally(() => {
                enqueuing--;
                completeIfDone();
              });
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          sourceDone = true;
          completeIfDone();
        },
      });
      return () => {
        sourceSub.unsubscribe();
        ackSub.unsubscribe();
        onlineSub.unsubscribe();
        unregister();
      };
    });
}
