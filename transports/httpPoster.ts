import { RxSyncError } from '../lib/errors.js';
import type { FetchLike } from './fetchLike.js';

/** Sends wire frames to an HTTP endpoint in order, one request at a time, batching what queues up. */
export interface HttpPoster {
  send(wire: string): void;
  close(): void;
}

/**
 * Posts frames for the client → server half of SSE and polling. Requests never overlap, so the
 * server sees frames in send order; frames queued during a request go together in the next one,
 * one frame per line. A failed request is reported through `onError` (the link then reconnects).
 */
export function createHttpPoster(fetchFn: FetchLike, url: string, onError: (error: unknown) => void): HttpPoster {
  let queue: string[] = [];
  let inFlight = false;
  let closed = false;
  const controller = new AbortController();

  const flush = (): void => {
    if (inFlight || closed || queue.length === 0) return;
    const batch = queue;
    queue = [];
    inFlight = true;
    fetchFn(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: batch.join('\n'), signal: controller.signal })
      .then((response) => {
        if (!response.ok) throw new RxSyncError('E_HTTP', `POST ${url} answered ${response.status}`, { details: { status: response.status } });
        inFlight = false;
        flush();
      })
      .catch((error: unknown) => {
        inFlight = false;
        if (!closed) onError(error);
      });
  };

  return {
    send(wire) {
      if (wire.includes('\n')) throw new RxSyncError('E_SEND_INVALID', 'A frame for an HTTP transport must not contain a line break');
      queue.push(wire);
      flush();
    },
    close() {
      closed = true;
      queue = [];
      controller.abort();
    },
  };
}
