import { compareJson } from './json.js';
import type { Stamp } from './stamp.js';
import type { VersionVector } from './versionVector.js';

/** One field of an {@link LwwMap}: its value (absent for a tombstone) and the stamp that wrote it. */
export interface LwwEntry<V> {
  readonly value: V | undefined;
  readonly stamp: Stamp;
  /** True for a tombstone: the field was deleted at `stamp`. */
  readonly deleted: boolean;
}

/**
 * A document of last-writer-wins fields. Immutable plain data: every function returns a new map
 * (or the same one when nothing changed). Keys are data — `__proto__` is an ordinary field.
 *
 * - `entries`: every field, tombstones included.
 * - `seen`: the version vector of writes this map holds (pass it to a peer's {@link delta}).
 * - `floor`: tombstones at or before this stamp were dropped by {@link compact}.
 */
export interface LwwMap<V> {
  readonly entries: ReadonlyMap<string, LwwEntry<V>>;
  readonly seen: VersionVector;
  readonly floor: Stamp | null;
}

/**
 * The winner of two writes to one field: the newer stamp; on equal stamps (never produced by
 * honest clocks) the tombstone, then a fixed order of values, so merge stays commutative.
 */
export function pickEntry<V>(a: LwwEntry<V>, b: LwwEntry<V>): LwwEntry<V> {
  if (a.stamp !== b.stamp) return a.stamp > b.stamp ? a : b;
  if (a.deleted !== b.deleted) return a.deleted ? a : b;
  return compareJson(b.value, a.value) > 0 ? b : a;
}
