import { Observable, Subject, switchMap, type Subscriber } from 'rxjs';
import { RxSyncError } from '../lib/errors.js';
import { FRAME_INVALID } from '../lib/protocol/parseFrame.js';
import { createTransport, type TransportOptions } from './createTransport.js';
import type { LinkEvent } from './link.js';
import { makeWebSocketObservable, type RxjsWebSocketLike } from './rxjsWebSockets.js';
import type { Transport } from './transport.js';
import { checkOptions } from '../lib/options/checkOptions.js';
import { webSocketOptionSpec } from './optionSpecs.js';

// Handlers are declared through a method so they are checked bivariantly: both the DOM WebSocket
// and `ws` assign their own, more specific event types to them.
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of a WebSocket rxsync uses; the browser global and the `ws` package both fit. */
export interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onerror: Handler<unknown> | null;
}

/** A WebSocket constructor: `globalThis.WebSocket` in browsers, `WebSocket` from `ws` in Node. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** Options of {@link webSocket}. */
export interface WebSocketTransportOptions<In = unknown> extends TransportOptions<In> {
  /** The constructor to use. Default: `globalThis.WebSocket`, looked up when connecting. */
  WebSocket?: WebSocketConstructor;
  /** Sub-protocols offered to the server. */
  protocols?: string | string[];
}

function resolveConstructor(injected: WebSocketConstructor | undefined): WebSocketConstructor {
  const found = injected ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (found === undefined) {
    throw new RxSyncError('E_OPTION_INVALID', 'No WebSocket available: pass `WebSocket` (e.g. from the ws package) in the options');
  }
  return found;
}

/**
 * A WebSocket transport built on rxjs-websockets. One socket per connection; it sends the hello
 * (with the last sequence number seen) first, so the server resends exactly what was missed.
 * Reconnects with full-jitter backoff (default 1 s up to 30 s) and pings after 15 s of silence,
 * declaring the peer dead after 45 s.
 *
 * @example
 * ```ts
 * import WebSocket from 'ws'; // Node; browsers use the global
 * const live = webSocket<Update, Command>('ws://localhost:8080/ws', { WebSocket });
 * ```
 */
export function webSocket<In = unknown, Out = unknown>(url: string, options: WebSocketTransportOptions<In> = {}): Transport<In, Out> {
  checkOptions('webSocket', options, webSocketOptionSpec);
  const protocols = options.protocols ?? [];
  const connector = (context: { hello: string }): Observable<LinkEvent> =>
    new Observable<LinkEvent>((subscriber: Subscriber<LinkEvent>) => {
      const Ctor = resolveConstructor(options.WebSocket);
      const makeWebSocket = (socketUrl: string, socketProtocols: string | string[]): RxjsWebSocketLike =>
        new Ctor(socketUrl, socketProtocols) as unknown as RxjsWebSocketLike;
      const socket$ = makeWebSocketObservable()(url, { protocols, makeWebSocket });
      return socket$
        .pipe(
          switchMap((getResponses) => {
            const outgoing = new Subject<string>();
            // getResponses subscribes to `outgoing` at once; frames sent after this go straight out.
            const incoming = getResponses(outgoing) as Observable<string>;
            return new Observable<LinkEvent>((inner) => {
              const subscription = incoming.subscribe({
                // Text frames only: a binary frame is reported, not guessed at.
                next: (data: unknown) => inner.next(typeof data === 'string' ? data : binaryFrame()),
                error: (error: unknown) => inner.error(error),
                complete: () => inner.complete(),
              });
              outgoing.next(context.hello);
              inner.next({ type: 'open', send: (wire) => outgoing.next(wire) });
              return subscription;
            });
          }),
        )
        .subscribe({
          next: (event) => subscriber.next(event),
          error: (error: unknown) =>
            subscriber.error(new RxSyncError('E_CONNECTION_LOST', `WebSocket ${url}: ${messageOf(error)}`, { cause: error })),
          complete: () => subscriber.error(new RxSyncError('E_CONNECTION_LOST', `WebSocket ${url} closed`)),
        });
    });
  return createTransport<In, Out>('websocket', connector, options, {
    reconnect: {},
    heartbeat: { interval: 15_000, timeout: 45_000 },
  });
}

function binaryFrame(): LinkEvent {
  return { type: 'invalid', error: new RxSyncError(FRAME_INVALID, 'Invalid protocol frame: binary frames are not supported') };
}

function messageOf(error: unknown): string {
  return error instanceof Error && error.message !== '' ? error.message : 'connection failed';
}
