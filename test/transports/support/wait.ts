import type { EventEmitter } from 'node:events';
import { firstValueFrom, filter, take, toArray, type Observable } from 'rxjs';
import type { Transport, TransportStatus } from '../../../transports/transport.js';

/** Resolves when `condition()` holds, re-checking on every 'change' of `events`; rejects after a guard timeout. */
export function waitForChange(events: EventEmitter, condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  if (condition()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!condition()) return;
      clearTimeout(guard);
      events.off('change', check);
      resolve();
    };
    const guard = setTimeout(() => {
      events.off('change', check);
      reject(new Error(`timed out waiting for: ${what}`));
    }, timeoutMs);
    events.on('change', check);
  });
}

/** The first `count` values of `source`. */
export function firstN<T>(source: Observable<T>, count: number): Promise<T[]> {
  return firstValueFrom(source.pipe(take(count), toArray()));
}

/** The first status matching `predicate`. */
export function statusWhere(
  transport: Transport<unknown, unknown>,
  predicate: (status: TransportStatus) => boolean,
): Promise<TransportStatus> {
  return firstValueFrom(transport.status$.pipe(filter(predicate)));
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
