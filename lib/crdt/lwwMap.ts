// The LwwMap namespace: a document of last-writer-wins fields as immutable data plus pure functions.
// Merge, the codec and the one-pass bulk merge live in sibling files and are re-exported here.
// Its types are declared here, not re-exported: the bundled declarations can only expose a type as
// `lwwMap.LwwMap` when it lives in the module the namespace is made of.
import type { Json } from './json.js';
import { dropTombstones } from './lwwMapMerge.js';
import { pickEntry } from './lwwMapState.js';
import { STAMP_PREFIX, stampNode, type Stamp } from './stamp.js';
import { emptyVersion, witness, type EncodedVersionVector, type VersionVector } from './versionVector.js';

export { check, decode, encode } from './lwwMapCodec.js';
export { mergeEncoded } from './lwwMapMergeEncoded.js';
export { merge } from './lwwMapMerge.js';

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
 * JSON form of an {@link LwwMap}, column by column so that stamps cost almost nothing on the wire.
 * Entries are ordered by (node, stamp); `runs` describes their stamps five numbers at a time:
 * `[nodeIndex, timeDelta, counter, length, step]` = `length` consecutive entries written by
 * `nodes[nodeIndex]` at logical time `previous run's time + timeDelta`, with counters `counter`,
 * `counter + step`, … (`step` is 1 for a burst of writes, 0 for writes sharing one stamp).
 * `deleted` lists the indexes of tombstones (their value is a placeholder 0).
 */
export interface EncodedLwwMap {
  readonly type: 'lww-map';
  readonly v: 1;
  readonly seen: EncodedVersionVector;
  readonly floor: Stamp | null;
  readonly nodes: readonly string[];
  readonly runs: readonly number[];
  readonly keys: readonly string[];
  readonly values: readonly Json[];
  readonly deleted: readonly number[];
}

/** An empty map. */
export function create<V>(): LwwMap<V> {
  return { entries: new Map(), seen: emptyVersion(), floor: null };
}

/** The live value of a field, or `undefined` when absent or deleted. */
export function get<V>(map: LwwMap<V>, key: string): V | undefined {
  const entry = map.entries.get(key);
  return entry === undefined || entry.deleted ? undefined : entry.value;
}

/** True when the field exists and is not deleted. */
export function has<V>(map: LwwMap<V>, key: string): boolean {
  const entry = map.entries.get(key);
  return entry !== undefined && !entry.deleted;
}

/**
 * The live fields as a prototype-less record (so a field named `__proto__` is an own property,
 * never the prototype).
 */
export function value<V>(map: LwwMap<V>): Readonly<Record<string, V>> {
  const out = Object.create(null) as Record<string, V>;
  for (const [key, entry] of map.entries) if (!entry.deleted) out[key] = entry.value as V;
  return out;
}

/** Number of live (not deleted) fields. */
export function size<V>(map: LwwMap<V>): number {
  let count = 0;
  for (const entry of map.entries.values()) if (!entry.deleted) count++;
  return count;
}

/** Writes one field at `stamp` (from `clock.tick()`). For many fields use {@link setMany}: one copy. */
export function set<V>(map: LwwMap<V>, key: string, value: V, stamp: Stamp): LwwMap<V> {
  return setMany(map, [[key, value]], stamp);
}

/**
 * Writes several fields in one step (one copy of the map). `stamp` is either one stamp for the
 * whole batch or a function called once per field (e.g. `() => clock.tick()`). A field whose current
 * stamp is newer keeps its value, exactly as a merge would decide.
 *
 * @example
 * ```ts
 * doc = lwwMap.setMany(doc, [['title', 'Plan'], ['done', false]], () => clock.tick());
 * ```
 */
export function setMany<V>(map: LwwMap<V>, fields: Iterable<readonly [string, V]>, stamp: Stamp | (() => Stamp)): LwwMap<V> {
  return write(map, fields, stamp, false);
}

/** Deletes a field by writing a tombstone at `stamp`; the tombstone wins over older writes. */
export function remove<V>(map: LwwMap<V>, key: string, stamp: Stamp): LwwMap<V> {
  return write(map, [[key, undefined]], stamp, true);
}

function write<V>(
  map: LwwMap<V>,
  fields: Iterable<readonly [string, V | undefined]>,
  stamps: Stamp | (() => Stamp),
  deleted: boolean,
): LwwMap<V> {
  const entries = new Map(map.entries);
  let seen = map.seen;
  let node = '';
  let newest: Stamp | undefined;
  for (const [key, fieldValue] of fields) {
    const stamp = typeof stamps === 'string' ? stamps : stamps();
    const next: LwwEntry<V> = { value: deleted ? undefined : fieldValue, stamp, deleted };
    const current = entries.get(key);
    if (current === undefined || pickEntry(current, next) === next) entries.set(key, next);
    // Consecutive stamps usually come from one clock: update `seen` once per run of one node.
    if (stamp.length === node.length + STAMP_PREFIX && stamp.endsWith(node)) {
      if (stamp > (newest as Stamp)) newest = stamp;
    } else {
      if (newest !== undefined) seen = witness(seen, newest);
      node = stampNode(stamp);
      newest = stamp;
    }
  }
  if (newest !== undefined) seen = witness(seen, newest);
  return { entries, seen, floor: map.floor };
}

/**
 * The part of `map` that a replica with version `since` lacks: the fields written after what it
 * has seen, plus `map`'s version vector. `merge(peer, delta(map, peer.seen))` equals
 * `merge(peer, map)` while sending only the changes.
 */
export function delta<V>(map: LwwMap<V>, since: VersionVector): LwwMap<V> {
  // A peer that has seen nothing any of our writers wrote needs everything: share the entries.
  let seenAny = false;
  for (const node of map.seen.keys()) if (since.has(node)) seenAny = true;
  if (!seenAny) return { entries: map.entries, seen: map.seen, floor: null };
  const entries = new Map<string, LwwEntry<V>>();
  // Entries from one node tend to be adjacent: look its vector entry up once per run of them.
  let node = '';
  let known: Stamp | undefined;
  for (const [key, entry] of map.entries) {
    const stamp = entry.stamp;
    if (!(stamp.length === node.length + STAMP_PREFIX && stamp.endsWith(node))) {
      node = stampNode(stamp);
      known = since.get(node);
    }
    if (known === undefined || stamp > known) entries.set(key, entry);
  }
  return { entries, seen: map.seen, floor: null };
}

/** The map's version vector, to send to a peer that will compute a {@link delta} for us. */
export function version<V>(map: LwwMap<V>): VersionVector {
  return map.seen;
}

/**
 * Drops tombstones stamped at or before `stable` and remembers `stable` as the floor, so a stale
 * copy of a deleted field arriving later is ignored instead of resurrected.
 *
 * Only safe when every replica has merged every write stamped `<= stable` and its clock has moved
 * past `stable`: compute it with `stableStamp(acks)` from each replica's acknowledged stamp (for
 * example the hub's record of what each client has confirmed).
 */
export function compact<V>(map: LwwMap<V>, stable: Stamp): LwwMap<V> {
  if (map.floor !== null && stable <= map.floor) return map;
  const entries = new Map(map.entries);
  dropTombstones(entries, stable);
  return { entries, seen: map.seen, floor: stable };
}
