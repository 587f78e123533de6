import { dataFrame, errorFrame, pingFrame, pongFrame } from '../lib/protocol/frames.js';
import type { HubMessage } from '../lib/protocol/hubMessages.js';
import { jsonCodec } from '../lib/protocol/jsonCodec.js';

// Encoders for what the hub sends. Each frame is encoded once and the string is shared by every
// connection it goes to.

/** A hub message in a data frame; `seq` only for ops of the room's sequence. */
export function dataWire(message: HubMessage, seq?: number): string {
  return jsonCodec.encode(dataFrame(message, seq));
}

/** An error frame. */
export function errorWire(code: string, message: string): string {
  return jsonCodec.encode(errorFrame(code, message));
}

/** The hub's liveness probe. */
export const PING_WIRE = jsonCodec.encode(pingFrame());

/** The answer to a client's ping. */
export function pongWire(id: number | undefined): string {
  return jsonCodec.encode(pongFrame(id));
}
