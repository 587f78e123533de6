import { invalid, type Json } from './json.js';
import { KIND, forEachEntry, readColumns } from './lwwMapColumns.js';
import { decode } from './lwwMapCodec.js';
import type { LwwEntry, LwwMap } from './lwwMap.js';
import { pickEntry } from './lwwMapState.js';
import { merge } from './lwwMapMerge.js';
import { mergeVersions } from './versionVector.js';

/**
 * `merge(map, decode(payload))` in one pass, for bulk sync: validates the payload completely (a
 * throw — `E_CRDT_INVALID` naming the field — leaves `map` untouched and nothing half-applied) but
 * skips building the decoded map. Same result as the two-step form; returns `map` itself when the
 * payload adds nothing.
 *
 * @example
 * ```ts
 * doc = lwwMap.mergeEncoded(doc, JSON.parse(message.data));
 * ```
 */
export function mergeEncoded<V>(map: LwwMap<V>, payload: unknown): LwwMap<V | Json> {
  const columns = readColumns(payload);
  // A payload carrying its own compaction floor needs the full merge rules: take the two-step path.
  if (columns.floor !== null) return merge<V | Json>(map, decode(payload));
  const floor = map.floor;
  const mine = map.entries as ReadonlyMap<string, LwwEntry<V | Json>>;
  let entries: Map<string, LwwEntry<V | Json>> | undefined;
  // Keys the payload carried but that changed nothing; with the inserted ones, they catch repeats.
  let unused: Set<string> | undefined;
  forEachEntry(columns, (key, incoming, index) => {
    const current = (entries ?? mine).get(key);
    if (unused?.has(key) === true || (current !== undefined && entries !== undefined && current !== mine.get(key))) {
      invalid(KIND, `keys[${index}]`, `repeats key ${JSON.stringify(key)}`);
    }
    const stale = current === undefined ? floor !== null && incoming.stamp <= floor : pickEntry(current, incoming) === current;
    // A winning tombstone at or before our floor is one every replica already knows: drop it.
    const known = !stale && incoming.deleted && floor !== null && incoming.stamp <= floor;
    if (stale || known) {
      (unused ??= new Set()).add(key);
      if (known && current !== undefined) (entries ??= new Map(mine)).delete(key);
      return;
    }
    (entries ??= new Map(mine)).set(key, incoming);
  });
  const seen = mergeVersions(map.seen, columns.seen);
  if (entries === undefined && seen === map.seen) return map;
  return { entries: entries ?? mine, seen, floor };
}
