import { compareJson } from './json.js';
import type { LwwEntry } from './lwwMap.js';

/**
 * The winner of two writes to one field: the newer stamp; on equal stamps (never produced by
 * honest clocks) the tombstone, then a fixed order of values, so merge stays commutative.
 */
export function pickEntry<V>(a: LwwEntry<V>, b: LwwEntry<V>): LwwEntry<V> {
  if (a.stamp !== b.stamp) return a.stamp > b.stamp ? a : b;
  if (a.deleted !== b.deleted) return a.deleted ? a : b;
  return compareJson(b.value, a.value) > 0 ? b : a;
}
