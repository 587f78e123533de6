import type { LwwEntry, LwwMap } from './lwwMap.js';
import { pickEntry } from './lwwMapState.js';
import type { Stamp } from './stamp.js';
import { mergeVersions } from './versionVector.js';

/**
 * Merges two maps field by field (newest stamp wins). Commutative, associative and idempotent.
 * Accepts a full state or a {@link delta}. Returns `a` itself when `b` adds nothing, so a caller can
 * skip re-rendering on duplicates.
 */
export function merge<V>(a: LwwMap<V>, b: LwwMap<V>): LwwMap<V> {
  if (a === b) return a;
  const floor = a.floor === null || (b.floor !== null && b.floor > a.floor) ? b.floor : a.floor;
  let entries: Map<string, LwwEntry<V>> | undefined;
  for (const [key, incoming] of b.entries) {
    const current = a.entries.get(key);
    if (current === undefined) {
      // A field `a` lacks but stamped at or before `a`'s floor was deleted and compacted here: stale.
      if (a.floor !== null && incoming.stamp <= a.floor) continue;
      if (incoming.deleted && floor !== null && incoming.stamp <= floor) continue;
    } else if (current === incoming || pickEntry(current, incoming) === current) {
      continue;
    }
    entries ??= new Map(a.entries);
    // A winning tombstone at or before the floor is one every replica already knows: drop it.
    if (incoming.deleted && floor !== null && incoming.stamp <= floor) entries.delete(key);
    else entries.set(key, incoming);
  }
  if (b.floor !== null) {
    for (const [key, current] of a.entries) {
      if (current.stamp <= b.floor && !b.entries.has(key)) {
        entries ??= new Map(a.entries);
        entries.delete(key);
      }
    }
  }
  if (floor !== null && floor !== a.floor) {
    entries ??= new Map(a.entries);
    dropTombstones(entries, floor);
  }
  const seen = mergeVersions(a.seen, b.seen);
  if (entries === undefined && seen === a.seen && floor === a.floor) return a;
  return { entries: entries ?? a.entries, seen, floor };
}

export function dropTombstones<V>(entries: Map<string, LwwEntry<V>>, floor: Stamp): void {
  for (const [key, entry] of entries) if (entry.deleted && entry.stamp <= floor) entries.delete(key);
}
