import { RxSyncError } from '../errors.js';

/**
 * A hybrid-logical-clock timestamp, encoded as a compact string that sorts lexicographically in
 * stamp order: 9 base-36 digits of wall time (ms), 3 base-36 digits of counter, then the node id.
 * Comparing two stamps with `<` compares (time, counter, nodeId) in that order.
 *
 * @example
 * ```ts
 * const s = encodeStamp({ time: 1_700_000_000_000, counter: 0, node: 'phone' });
 * decodeStamp(s).node; // 'phone'
 * ```
 */
export type Stamp = string;

/** The parts of a {@link Stamp}. */
export interface StampParts {
  /** Logical time in ms since the epoch (usually the wall clock, never behind earlier stamps). */
  readonly time: number;
  /** Orders events within one millisecond. */
  readonly counter: number;
  /** The id of the replica that issued the stamp; breaks ties deterministically. */
  readonly node: string;
}

const TIME_DIGITS = 9;
const COUNTER_DIGITS = 3;
const PREFIX = TIME_DIGITS + COUNTER_DIGITS;
/** Length of a stamp's fixed-width time and counter part; the node id follows. */
export const STAMP_PREFIX: number = PREFIX;

/** Largest encodable logical time (ms); about the year 5100. */
export const MAX_STAMP_TIME: number = 36 ** TIME_DIGITS - 1;
/** Largest counter; one more event in the same millisecond moves logical time on by 1 ms. */
export const MAX_STAMP_COUNTER: number = 36 ** COUNTER_DIGITS - 1;

// Node ids are data (even `__proto__` is fine) but must be short and printable so stamps stay
// compact and unambiguous.
const NODE_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
const STAMP_PATTERN = /^[0-9a-z]{12}[A-Za-z0-9_.:-]{1,64}$/;

/** True when `id` can be a replica's node id: 1–64 characters of `A-Z a-z 0-9 _ . : -`. */
export function isNodeId(id: unknown): id is string {
  return typeof id === 'string' && NODE_PATTERN.test(id);
}

/** True when `value` is a well-formed {@link Stamp}. */
export function isStamp(value: unknown): value is Stamp {
  return typeof value === 'string' && STAMP_PATTERN.test(value);
}

/** Encodes stamp parts; throws `E_HLC_INVALID` when a part is out of range. */
export function encodeStamp(parts: StampParts): Stamp {
  const { time, counter, node } = parts;
  if (!Number.isSafeInteger(time) || time < 0 || time > MAX_STAMP_TIME) {
    throw new RxSyncError('E_HLC_INVALID', `stamp time must be an integer in [0, ${MAX_STAMP_TIME}], got ${String(time)}`);
  }
  if (!Number.isSafeInteger(counter) || counter < 0 || counter > MAX_STAMP_COUNTER) {
    throw new RxSyncError('E_HLC_INVALID', `stamp counter must be an integer in [0, ${MAX_STAMP_COUNTER}], got ${String(counter)}`);
  }
  if (!isNodeId(node)) {
    throw new RxSyncError('E_HLC_INVALID', `stamp node id must be 1-64 characters of A-Z a-z 0-9 _ . : -, got ${JSON.stringify(node)}`);
  }
  return time.toString(36).padStart(TIME_DIGITS, '0') + counter.toString(36).padStart(COUNTER_DIGITS, '0') + node;
}

/** Splits a stamp into its parts; throws `E_HLC_INVALID` for a malformed stamp. */
export function decodeStamp(stamp: unknown): StampParts {
  if (!isStamp(stamp)) {
    throw new RxSyncError('E_HLC_INVALID', `malformed stamp ${JSON.stringify(stamp)}`);
  }
  return {
    time: parseInt(stamp.slice(0, TIME_DIGITS), 36),
    counter: parseInt(stamp.slice(TIME_DIGITS, PREFIX), 36),
    node: stamp.slice(PREFIX),
  };
}

/** The node id inside a well-formed stamp (no validation: callers pass stamps they checked). */
export function stampNode(stamp: Stamp): string {
  return stamp.slice(PREFIX);
}

/** Orders stamps: negative when `a` is older, 0 when equal, positive when newer. */
export function compareStamps(a: Stamp, b: Stamp): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
