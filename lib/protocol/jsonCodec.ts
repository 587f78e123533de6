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

/**
 * Parses wire JSON, turning any syntax error into `E_FRAME_INVALID`. Keys such as `__proto__`,
 * `constructor` and `prototype` are ordinary data: `JSON.parse` defines them as own properties and
 * never touches a prototype, and rxsync's merge code keeps them in Maps, so a document may have a
 * field called "constructor" and still sync.
 */
export function parseSafeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RxSyncError(FRAME_INVALID, 'Invalid protocol frame: not JSON', { cause: error, details: { length: text.length } });
  }
}

/**
 * The default {@link Codec}: JSON text; reserved keys stay plain data.
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
