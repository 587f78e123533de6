import { Observable } from 'rxjs';
import { RxSyncError } from '../lib/errors.js';
import { createTransport, type TransportOptions } from './createTransport.js';
import { resolveFetch, type FetchLike } from './fetchLike.js';
import { createHttpPoster } from './httpPoster.js';
import { HTTP, hubList, postUrls, type HubListOptions, type HubUrls } from './hubUrls.js';
import { randomId, withQuery } from './ids.js';
import type { LinkContext, LinkEvent } from './link.js';
import type { Transport } from './transport.js';
import { checkOptions } from '../lib/options/checkOptions.js';
import { sseOptionSpec } from './optionSpecs.js';

// Method-declared handler types are checked bivariantly, so the DOM's and the `eventsource`
// package's more specific event types both fit.
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of an EventSource rxsync uses; the browser global and the `eventsource` package fit. */
export interface EventSourceLike {
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: string }> | null;
  onerror: Handler<unknown> | null;
  close(): void;
}

/** An EventSource constructor: `globalThis.EventSource` in browsers, `EventSource` from `eventsource` in Node. */
export type EventSourceConstructor = new (url: string) => EventSourceLike;

/** Options of {@link sse}. */
export interface SseTransportOptions<In = unknown> extends TransportOptions<In>, HubListOptions {
  /**
   * Where client → server frames are POSTed (with the same `cid` query parameter as the stream).
   * With several stream URLs, a list of the same length: frames go to the hub the stream is on.
   */
  postUrl: string | readonly string[];
  /** Default: `globalThis.EventSource`, looked up when connecting. */
  EventSource?: EventSourceConstructor;
  /** Default: `globalThis.fetch`, looked up when sending. */
  fetch?: FetchLike;
}

function resolveEventSource(injected: EventSourceConstructor | undefined): EventSourceConstructor {
  const found = injected ?? (globalThis as { EventSource?: EventSourceConstructor }).EventSource;
  if (found === undefined) {
    throw new RxSyncError('E_OPTION_INVALID', 'No EventSource available: pass `EventSource` (e.g. from the eventsource package)');
  }
  return found;
}

/**
 * Server-Sent Events for server → client and HTTP POST for client → server. Each connection gets a
 * random `cid` so the server can route POSTed frames (and RPC replies) to the right stream, and
 * carries `lastEventId=<last seq>` (the same value browsers send as `Last-Event-ID`) so the server
 * resumes the stream where this client left off. The hello frame (room, token) is the first POST of
 * each connection, so credentials never appear in a URL. EventSource's own retry is not used: on any error
 * the source is closed and the composed `reconnect` backoff takes over, like every other transport.
 *
 * Given several hubs (sharing one op log), a stream that fails or drops is retried on the next
 * one, with the same `lastEventId`; `postUrl` then lists each hub's POST URL in the same order.
 * A hub that drains is left at once, without the backoff wait.
 *
 * @example
 * ```ts
 * const live = sse('/sync/stream', { postUrl: '/sync/send' });
 * const twoHubs = sse(['https://a.example.org/sse', 'https://b.example.org/sse'], {
 *   postUrl: ['https://a.example.org/send', 'https://b.example.org/send'],
 * });
 * ```
 */
export function sse<In = unknown, Out = unknown>(url: HubUrls, options: SseTransportOptions<In>): Transport<In, Out> {
  checkOptions('sse', options, sseOptionSpec);
  const hubs = hubList('sse', url, HTTP, options);
  const posts = postUrls('sse', options.postUrl, hubs);
  const connector = (context: LinkContext): Observable<LinkEvent> =>
    new Observable<LinkEvent>((subscriber) => {
      const Ctor = resolveEventSource(options.EventSource);
      const url = hubs.urls[context.hub] as string;
      const cid = randomId();
      const fail = (error: unknown): void =>
        subscriber.error(
          error instanceof RxSyncError ? error : new RxSyncError('E_CONNECTION_LOST', `SSE ${url}: request failed`, { cause: error }),
        );
      const poster = createHttpPoster(resolveFetch(options.fetch), withQuery(posts[context.hub] as string, { cid }), fail);
      const source = new Ctor(withQuery(url, { cid, lastEventId: context.cursor.lastSeq }));
      source.onopen = () => {
        // The hello goes first on the POST channel: a hub authenticates it before streaming the room.
        poster.send(context.hello);
        subscriber.next({ type: 'open', send: (wire) => poster.send(wire) });
      };
      source.onmessage = (event) => subscriber.next(event.data);
      // Report on the next microtask: some EventSource implementations arm their own retry timer
      // right after calling onerror, and our teardown's close() must come after it to cancel it.
      source.onerror = () => queueMicrotask(() => fail(new RxSyncError('E_CONNECTION_LOST', `SSE ${url}: stream failed or closed`)));
      return () => {
        source.onopen = source.onmessage = source.onerror = null;
        source.close();
        poster.close();
      };
    });
  return createTransport<In, Out>('sse', connector, options, { reconnect: {}, heartbeat: { interval: 15_000, timeout: 45_000 } }, hubs);
}
