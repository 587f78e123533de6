import { RxSyncError } from '../errors.js';
import { helloFrame, type Frame } from './frames.js';
import { MAX_TOKEN_LENGTH, ROOM_NAME_RULE, isRoomName } from './names.js';

/** Error code of every frame that fails to decode or validate. */
export const FRAME_INVALID = 'E_FRAME_INVALID';

function invalid(reason: string, details: Record<string, unknown> = {}): RxSyncError {
  return new RxSyncError(FRAME_INVALID, `Invalid protocol frame: ${reason}`, { details });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function optionalId(frame: Record<string, unknown>): number | undefined {
  const id = frame['id'];
  if (id === undefined) return undefined;
  if (!isSeq(id)) throw invalid('`id` must be a non-negative integer', { id });
  return id;
}

/**
 * Validates a decoded value as a version-1 {@link Frame} and returns a fresh frame object holding
 * only the known fields (so unknown keys never travel further). Throws an `RxSyncError` with code
 * `E_FRAME_INVALID` saying what is wrong.
 *
 * @example
 * ```ts
 * const frame = parseFrame(JSON.parse(text)); // frame.type is narrowed by a switch
 * ```
 */
export function parseFrame(value: unknown): Frame {
  if (!isRecord(value)) throw invalid('not an object');
  if (value['v'] !== 1) throw invalid('unsupported version', { v: value['v'] });
  const type = value['type'];
  switch (type) {
    case 'data': {
      if (!('data' in value)) throw invalid('data frame without `data`');
      const seq = value['seq'];
      if (seq === undefined) return { v: 1, type, data: value['data'] };
      if (!isSeq(seq) || seq === 0) throw invalid('`seq` must be a positive integer', { seq });
      return { v: 1, type, seq, data: value['data'] };
    }
    case 'hello': {
      const lastSeq = value['lastSeq'];
      if (!isSeq(lastSeq)) throw invalid('`lastSeq` must be a non-negative integer', { lastSeq });
      const room = value['room'];
      const token = value['token'];
      if (room !== undefined && !isRoomName(room)) throw invalid(`\`room\` must be ${ROOM_NAME_RULE}`);
      if (token !== undefined && (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH)) {
        throw invalid(`\`token\` must be a string of at most ${MAX_TOKEN_LENGTH} characters`);
      }
      const snapshot = value['snapshot'];
      if (snapshot !== undefined && snapshot !== false) throw invalid('`snapshot` may only be false');
      return helloFrame(lastSeq, {
        ...(room !== undefined ? { room } : {}),
        ...(token !== undefined ? { token } : {}),
        ...(snapshot === false ? { snapshot } : {}),
      });
    }
    case 'ping':
    case 'pong': {
      const id = optionalId(value);
      return id === undefined ? { v: 1, type } : { v: 1, type, id };
    }
    case 'bye':
      return { v: 1, type };
    case 'error': {
      const code = value['code'];
      const message = value['message'];
      if (typeof code !== 'string' || typeof message !== 'string') throw invalid('error frame needs string `code` and `message`');
      return { v: 1, type, code, message };
    }
    default:
      throw invalid('unknown frame type', { type: typeof type === 'string' ? type.slice(0, 40) : typeof type });
  }
}
