import type { Observable } from 'rxjs';
import type { SeqCursor } from './transport.js';

/**
 * The seam between the shared transport machinery (`createTransport`) and one mechanism
 * (WebSocket, SSE, …). A {@link Connector} opens one physical connection per subscription and tears
 * it down on unsubscribe; it errors when the connection fails or drops. Reconnection, heartbeat,
 * resume, buffering and decoding all live above it, written once.
 */

/** Emitted once per connection when it can carry frames; `send` writes one wire frame. */
export interface LinkOpen {
  readonly type: 'open';
  readonly send: (wire: string) => void;
}

/** Something arrived that is not even a wire frame (e.g. a malformed BroadcastChannel envelope). */
export interface LinkInvalid {
  readonly type: 'invalid';
  readonly error: unknown;
}

/** What a link emits: `open`, then incoming wire frames as plain strings (no allocation per frame). */
export type LinkEvent = string | LinkOpen | LinkInvalid;

/** What a connector knows when it connects. */
export interface LinkContext {
  /** The encoded hello frame (with the current `lastSeq`) the link must deliver first, if it can. */
  readonly hello: string;
  /** The encoded bye frame, for links whose peer cannot see a socket close (polling, BroadcastChannel). */
  readonly bye: string;
  /** The live resume cursor (polling reads it before every request). */
  readonly cursor: SeqCursor;
  /** Which of the transport's hub URLs this connection goes to (an index; 0 for a single URL). */
  readonly hub: number;
}

/** Opens one connection per subscription. */
export type Connector = (context: LinkContext) => Observable<LinkEvent>;
