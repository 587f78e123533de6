import { RxSyncError } from '../errors.js';
import type { Frame } from './frames.js';
import { FRAME_INVALID } from './parseFrame.js';

/**
 * Turns frames into wire text and back. `decode` may return anything; the transport validates the
 * result with `parseFrame`. A compression or encryption codec wraps this one.
 */
export interface Codec {
  /** Frame → wire text. Text transports (SSE, polling) need it to contain no line break. */
  encode(frame: Frame): string;
  /** Wire text → decoded value (not yet validated). Throws on undecodable input. */
  decode(wire: string): unknown;
}

// Keys that would reach an object's prototype if the value were later merged with Object.assign.
const POISONED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function rejectPoisonedKeys(key: string, value: unknown): unknown {
  if (POISONED_KEYS.has(key)) {
    throw new RxSyncError(FRAME_INVALID, `Invalid protocol frame: forbidden key "${key}"`, { details: { key } });
  }
  return value;
}

/**
 * Parses JSON that never contains a `__proto__`, `constructor` or `prototype` key at any depth.
 * Fast path: text that cannot hide such a key (no escape sequence, none of the words) skips the
 * per-key check, which would otherwise slow every frame down.
 */
export function parseSafeJson(text: string): unknown {
  const suspicious =
    text.includes('\\u') || text.includes('__proto__') || text.includes('constructor') || text.includes('prototype');
  try {
    return suspicious ? JSON.parse(text, rejectPoisonedKeys) : JSON.parse(text);
  } catch (error) {
    if (error instanceof RxSyncError) throw error;
    throw new RxSyncError(FRAME_INVALID, 'Invalid protocol frame: not JSON', { cause: error, details: { length: text.length } });
  }
}

/**
 * The default {@link Codec}: JSON text, with prototype-pollution keys refused.
 *
 * @example
 * ```ts
 * webSocket(url, { codec: jsonCodec }); // the default, spelled out
 * ```
 */
export const jsonCodec: Codec = {
  encode: (frame) => JSON.stringify(frame),
  decode: parseSafeJson,
};
