import { Observable, Subject, switchMap, type Subscriber } from 'rxjs';
import { RxSyncError } from '../lib/errors.js';
import { FRAME_INVALID } from '../lib/protocol/parseFrame.js';
import { createTransport, type TransportOptions } from './createTransport.js';
import { hubList, type HubListOptions, type HubUrls } from './hubUrls.js';
import type { LinkContext, LinkEvent } from './link.js';
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
export interface WebSocketTransportOptions<In = unknown> extends TransportOptions<In>, HubListOptions {
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
 * Given several hub URLs (hubs sharing one op log), a connection that fails or drops is retried on
 * the next one, resuming from the same `lastSeq`. A hub that drains (close code 1012) is left at
 * once, without the backoff wait. `status$` reports the URL in use.
 *
 * @example
 * ```ts
 * import WebSocket from 'ws'; // Node; browsers use the global
 * const live = webSocket<Update, Command>('ws://localhost:8080/ws', { WebSocket });
 * const spread = webSocket(['wss://a.example.org/ws', 'wss://b.example.org/ws'], { pick: 'random' });
 * ```
 */
export function webSocket<In = unknown, Out = unknown>(url: HubUrls, options: WebSocketTransportOptions<In> = {}): Transport<In, Out> {
  checkOptions('webSocket', options, webSocketOptionSpec);
  const hubs = hubList('webSocket', url, 'ws, wss, http, https', options);
  const protocols = options.protocols ?? [];
  const connector = (context: LinkContext): Observable<LinkEvent> =>
    new Observable<LinkEvent>((subscriber: Subscriber<LinkEvent>) => {
      const Ctor = resolveConstructor(options.WebSocket);
      const url = hubs.urls[context.hub] as string;
      let socket: WebSocketLike | undefined;
      let closeCode: number | undefined;
      const makeWebSocket = (socketUrl: string, socketProtocols: string | string[]): RxjsWebSocketLike =>
        (socket = new Ctor(socketUrl, socketProtocols)) as unknown as RxjsWebSocketLike;
      const socket$ = makeWebSocketObservable()(url, { protocols, makeWebSocket });
      const subscription = socket$
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
            subscriber.error(
              // 1012: the hub is draining (restart, deploy), and the client should move at once.
              new RxSyncError(closeCode === 1012 ? 'E_HUB_DRAINING' : 'E_CONNECTION_LOST', `WebSocket ${url}: ${messageOf(error)}`, {
                cause: error,
                details: { closeCode },
              }),
            ),
          complete: () => subscriber.error(new RxSyncError('E_CONNECTION_LOST', `WebSocket ${url} closed`)),
        });
      // rxjs-websockets has set its handlers by now (synchronously, on subscribe) and passes on only
      // a close's reason; the code says what the server wants (1012: go elsewhere now).
      const onClose = socket?.onclose;
      if (socket !== undefined && onClose) {
        socket.onclose = (event) => {
          closeCode = event.code;
          onClose(event);
        };
      }
      return subscription;
    });
  return createTransport<In, Out>(
    'websocket',
    connector,
    options,
    { reconnect: {}, heartbeat: { interval: 15_000, timeout: 45_000 } },
    hubs,
  );
}

function binaryFrame(): LinkEvent {
  return { type: 'invalid', error: new RxSyncError(FRAME_INVALID, 'Invalid protocol frame: binary frames are not supported') };
}

function messageOf(error: unknown): string {
  return error instanceof Error && error.message !== '' ? error.message : 'connection failed';
}
