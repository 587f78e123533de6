import type { BroadcastBatch } from './broadcastBatch.js';
import type { TransportKind } from './hubMetrics.js';

/**
 * An encoded frame: a string, or for broadcasts its UTF-8 bytes (a `Buffer` in Node) encoded once and
 * shared by every connection it goes to.
 */
export type Wire = string | Uint8Array;

/**
 * One client connection as the hub sees it, whatever carries it: the seam between the endpoints
 * (WebSocket, SSE, polling) and the transport-independent session logic.
 */
export interface Link {
  readonly transport: TransportKind;
  /**
   * True for polling: sequenced ops are not pushed but read from the room's log on each poll, so
   * `write` with a `seq` only records the position.
   */
  readonly pulls: boolean;
  /** Sends one wire frame; `seq` marks frames of the room's sequence (SSE writes it as the event id). */
  write(wire: Wire, seq?: number): void;
  /**
   * Sends the ops of one commit in one go (WebSocket: one socket write of frames built once for
   * the room). Links without it get each op through `write`.
   */
  writeBatch?(batch: BroadcastBatch): void;
  /** Resolves once what was written so far has been handed to the network (or the link is gone). */
  flushed(): Promise<void>;
  /** Bytes written but not yet sent. */
  buffered(): number;
  /** Ends the connection from the hub's side. Idempotent. */
  end(closeCode: number, reason: string): void;
}
