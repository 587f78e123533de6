/**
 * Wire frames of protocol version 1. Every frame is a JSON object `{ v: 1, type, ... }`; the same
 * frames travel over WebSocket, SSE (+ HTTP POST) and polling. Kept small on purpose: the hub
 * extends this set, and `PROTOCOL.md` documents it.
 */

/** The protocol version this build speaks. */
export const PROTOCOL_VERSION = 1;

/** Client → server, first frame of every connection: "I have applied everything up to `lastSeq`". */
export interface HelloFrame {
  readonly v: 1;
  readonly type: 'hello';
  /** Highest sequence number the client has delivered; 0 when it has seen nothing. */
  readonly lastSeq: number;
  /** The room to join, for servers that host several (the hub). */
  readonly room?: string;
  /** Credentials, sent here rather than in the URL so they stay out of access logs. */
  readonly token?: string;
  /** `false`: replay the ops, not the room's snapshot (the client refused it). */
  readonly snapshot?: false;
}

/** Optional fields of a {@link HelloFrame}: which room to join, with what credentials, and whether to skip the snapshot. */
export interface HelloFields {
  readonly room?: string;
  readonly token?: string;
  readonly snapshot?: false;
}

/**
 * Application payload. With `seq` it belongs to the resumable stream (resent after a reconnect,
 * deduplicated by the client); without `seq` it is connection-scoped (RPC replies, echoes).
 */
export interface DataFrame<T = unknown> {
  readonly v: 1;
  readonly type: 'data';
  readonly seq?: number;
  readonly data: T;
}

/** Liveness probe; the receiver answers with a {@link PongFrame} carrying the same `id`. */
export interface PingFrame {
  readonly v: 1;
  readonly type: 'ping';
  readonly id?: number;
}

/** Answer to a {@link PingFrame}. */
export interface PongFrame {
  readonly v: 1;
  readonly type: 'pong';
  readonly id?: number;
}

/** "I am leaving on purpose" — lets a peer without a socket (polling, BroadcastChannel) see the close. */
export interface ByeFrame {
  readonly v: 1;
  readonly type: 'bye';
}

/** A peer rejected something; `code` is an rxsync error code such as `E_FRAME_INVALID`. */
export interface ErrorFrame {
  readonly v: 1;
  readonly type: 'error';
  readonly code: string;
  readonly message: string;
}

/** Any frame of protocol version 1. */
export type Frame = HelloFrame | DataFrame | PingFrame | PongFrame | ByeFrame | ErrorFrame;

/** The `type` tags of {@link Frame}. */
export type FrameType = Frame['type'];

/** Builds a hello frame; `fields` adds the room and token when the server needs them. */
export function helloFrame(lastSeq: number, fields: HelloFields = {}): HelloFrame {
  const frame: { v: 1; type: 'hello'; lastSeq: number; room?: string; token?: string; snapshot?: false } = { v: 1, type: 'hello', lastSeq };
  if (fields.room !== undefined) frame.room = fields.room;
  if (fields.token !== undefined) frame.token = fields.token;
  if (fields.snapshot === false) frame.snapshot = false;
  return frame;
}

/** Builds a data frame; pass `seq` only for messages of the resumable stream. */
export function dataFrame<T>(data: T, seq?: number): DataFrame<T> {
  return seq === undefined ? { v: 1, type: 'data', data } : { v: 1, type: 'data', seq, data };
}

/** Builds a ping frame. */
export function pingFrame(id?: number): PingFrame {
  return id === undefined ? { v: 1, type: 'ping' } : { v: 1, type: 'ping', id };
}

/** Builds the pong answering `ping`. */
export function pongFrame(id?: number): PongFrame {
  return id === undefined ? { v: 1, type: 'pong' } : { v: 1, type: 'pong', id };
}

/** Builds a bye frame. */
export function byeFrame(): ByeFrame {
  return { v: 1, type: 'bye' };
}

/** Builds an error frame. */
export function errorFrame(code: string, message: string): ErrorFrame {
  return { v: 1, type: 'error', code, message };
}
