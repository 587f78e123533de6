import { RxSyncError } from '../lib/errors.js';
import type { FetchLike, FetchResponseLike } from './fetchLike.js';

/**
 * The error for a request the server answered with a failure status. The hub's refusals carry an
 * error frame `{ code, message }` as the body: its code goes into `details.hubCode`, so a refused
 * hello is recognised as final rather than retried.
 */
export async function httpError(response: FetchResponseLike, what: string): Promise<RxSyncError> {
  let hubCode: unknown;
  let hubMessage: unknown;
  try {
    const body = JSON.parse(await response.text()) as { code?: unknown; message?: unknown };
    hubCode = body.code;
    hubMessage = body.message;
  } catch {
    // Not the hub's JSON: the status says enough.
  }
  return new RxSyncError('E_HTTP', `${what} answered ${response.status}`, {
    details: {
      status: response.status,
      ...(typeof hubCode === 'string' ? { hubCode } : {}),
      ...(typeof hubMessage === 'string' ? { hubMessage } : {}),
    },
  });
}

/** Sends wire frames to an HTTP endpoint in order, one request at a time, batching what queues up. */
export interface HttpPoster {
  send(wire: string): void;
  /** Stops accepting frames; what was already sent or queued (plus `last`) still goes out, in order. */
  close(last?: string): void;
}

/**
 * Posts frames for the client → server half of SSE and polling. Requests never overlap, so the
 * server sees frames in send order; frames queued during a request go together in the next one,
 * one frame per line. A failed request is reported through `onError` (the link then reconnects).
 * Closing drains instead of aborting, like a socket's graceful close: a frame accepted by `send`
 * before the connection was torn down still reaches the server.
 */
export function createHttpPoster(fetchFn: FetchLike, url: string, onError: (error: unknown) => void): HttpPoster {
  let queue: string[] = [];
  let inFlight = false;
  let closed = false;

  const flush = (): void => {
    if (inFlight || queue.length === 0) return;
    const batch = queue;
    queue = [];
    inFlight = true;
    fetchFn(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: batch.join('\n'), keepalive: closed })
      .then(async (response) => {
        if (!response.ok) throw await httpError(response, `POST ${url}`);
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
      if (closed) throw new RxSyncError('E_CONNECTION_LOST', 'The HTTP connection is closed');
      if (wire.includes('\n')) throw new RxSyncError('E_SEND_INVALID', 'A frame for an HTTP transport must not contain a line break');
      queue.push(wire);
      flush();
    },
    close(last) {
      if (closed) return;
      closed = true;
      if (last !== undefined) queue.push(last);
      flush();
    },
  };
}
