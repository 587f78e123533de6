import type { Observable } from 'rxjs';

/**
 * Connection states of a transport. `refused`: the server refused the credentials or the room for
 * good; nothing is retried until `retry()`. `offline`: the platform (or the `online$` option) says
 * there is no network; a connection still up keeps working, but the status does not claim it.
 */
export type TransportState = 'connecting' | 'open' | 'offline' | 'reconnecting' | 'refused' | 'closed';

/** A snapshot of a transport's connection, emitted on every change. */
export interface TransportStatus {
  readonly state: TransportState;
  /** The most recent error; cleared once a new connection proved healthy (its first message arrived). */
  readonly error?: unknown;
  /** Consecutive failed attempts while `reconnecting`. */
  readonly attempt?: number;
  /** Counts opened connections; a new number means replies pending on the old one are lost. */
  readonly connection: number;
  /** Which transport carries the traffic (`'websocket'`, `'sse'`, …); `fallback` sets the active one. */
  readonly via: string;
  /**
   * The hub URL the connection is on (or, while `connecting`/`reconnecting`, is being made to):
   * set by the transports that take URLs. With several hubs it shows which one is in use.
   */
  readonly url?: string;
  /**
   * The last heartbeat round-trip time in ms (a ping answered by the peer's pong): measured when a
   * connection opens and at every heartbeat ping after that. Only while `open` or `offline`, and
   * only for transports with a heartbeat (`webSocket`, `sse`; not `polling`).
   */
  readonly rtt?: number;
}

/**
 * Where the resumable stream stands: the highest `seq` delivered to the app. Transports that share
 * one cursor deliver each sequence number at most once between them (`fallback` relies on it).
 */
export interface SeqCursor {
  lastSeq: number;
  /** Set by a live room that refused the room's snapshot: the next hello asks for the ops instead. */
  withoutSnapshot?: boolean;
}

/**
 * The contract every transport fulfils. `In` is what the app receives, `Out` what it sends.
 *
 * - `messages$` is cold and shared: the first subscriber connects, the last unsubscribe
 *   disconnects. It reconnects on its own (with backoff) and resumes from `cursor.lastSeq`, so it
 *   neither skips nor repeats messages of the resumable stream.
 * - `send` delivers now when open, otherwise buffers (bounded); a full buffer throws an
 *   `RxSyncError` coded `E_SEND_OVERFLOW` instead of growing without limit.
 * - `status$` replays the current {@link TransportStatus} and every change.
 *
 * @example
 * ```ts
 * const live = webSocket<Update, Command>('wss://example.org/sync', { WebSocket });
 * live.messages$.subscribe(applyUpdate);
 * live.send({ kind: 'subscribe', room: 'todos' });
 * ```
 */
export interface Transport<In = unknown, Out = unknown> {
  /** Short name of the mechanism: `'websocket'`, `'sse'`, `'polling'`, `'broadcast'`, `'memory'`, `'fallback'`. */
  readonly kind: string;
  /** Application messages from the peer. Cold, shared; never completes while reconnecting. */
  readonly messages$: Observable<In>;
  /** Current connection status and every change after it. */
  readonly status$: Observable<TransportStatus>;
  /** Resume position; assign a shared cursor to make several transports resume as one. */
  cursor: SeqCursor;
  /** Sends one message (buffered while not open). Throws `E_SEND_OVERFLOW` when the buffer is full. */
  send(message: Out): void;
  /** Removes and returns messages still waiting in the send buffer (used when handing over to another transport). */
  takePending(): Out[];
  /**
   * Connects again now: after a refusal (`state: 'refused'`, e.g. once the app has a new token; the
   * `token` function is called again) or to skip a backoff wait. Does nothing while connected.
   */
  retry(): void;
}
