// The MvMap namespace: a document whose every field is a multi-value register, so a form can show
// which fields conflict and resolve them one by one. The codec lives in mvMapCodec.ts.
// Its types are declared here, not re-exported: the bundled declarations can only expose a type as
// `mvMap.MvMap` when it lives in the module the namespace is made of.
import { RxSyncError } from '../errors.js';
import type { Json } from './json.js';
import { merge as mergeRegisters, type Sibling } from './mvRegister.js';
import { stampNode, type Stamp } from './stamp.js';
import { coversVersion, emptyVersion, mergeVersions, witness, type VersionVector } from './versionVector.js';

export { decode, encode } from './mvMapCodec.js';

/**
 * One field of an {@link MvMap}: its concurrent values (sorted by stamp) and the version vector of
 * every write to this field seen so far. A field with no siblings is a removed field: only `seen`
 * remains, so a late copy of a value the removal superseded is still recognised and dropped.
 */
export interface MvField<V> {
  readonly siblings: readonly Sibling<V>[];
  readonly seen: VersionVector;
}

/**
 * A map of multi-value fields. Each field keeps its own causal history (`seen`), so a write to one
 * field supersedes exactly the siblings of that field its writer had seen, and a delta of one field
 * can arrive in any order relative to deltas of other fields. Keys are data — `__proto__` is an
 * ordinary field. Immutable plain data: every function returns a new map (or the same one when
 * nothing changed).
 *
 * Memory: a removal drops the field's values at once; what stays is a tombstone of the field's name
 * and its version vector (one stamp per node that ever wrote the field), for as long as the map
 * lives: without it a late copy of a removed value would come back. (There is no `compact` yet.)
 */
export interface MvMap<V> {
  readonly fields: ReadonlyMap<string, MvField<V>>;
}

/**
 * JSON form of an {@link MvMap}: one `[name, writes]` pair per field, sorted by name. `writes` lists
 * the field's version vector in stamp order, one entry per node: `[stamp, value]` when that node's
 * newest write is a live sibling, `[stamp]` when it was superseded (the node is in the stamp). A
 * removed field has only `[stamp]` entries.
 */
export interface EncodedMvMap {
  readonly type: 'mv-map';
  readonly v: 1;
  readonly fields: readonly (readonly [string, readonly (readonly [Stamp] | readonly [Stamp, Json])[]])[];
}

const EMPTY_FIELD: MvField<never> = { siblings: [], seen: emptyVersion() };

/** A map nobody has written. */
export function create<V>(): MvMap<V> {
  return { fields: new Map() };
}

// Adds to `out` the field `name` of `state` rewritten to `siblings` by a write at `stamp`.
function write<V>(out: Map<string, MvField<V>>, state: MvMap<V>, name: string, siblings: readonly Sibling<V>[], stamp: Stamp): void {
  const current = state.fields.get(name) ?? EMPTY_FIELD;
  const known = current.seen.get(stampNode(stamp));
  if (known !== undefined && stamp <= known) {
    throw new RxSyncError(
      'E_CRDT_STALE_STAMP',
      `mv-map: field ${JSON.stringify(name)}: stamp ${stamp} is not newer than ${known} already seen from its node`,
    );
  }
  out.set(name, { siblings, seen: witness(current.seen, stamp) });
}

/**
 * Writes `value` to `field` at `stamp` (from the writer's `clock.tick()`) and returns a **delta**
 * holding only that field: one sibling that supersedes every sibling of the field `state` has seen
 * (this is how a conflict is resolved, with one write). Merge it into the local state and send it.
 * Concurrent writes to the field that `state` has not seen survive beside it. Throws
 * `E_CRDT_STALE_STAMP` when `stamp` is not newer than what the field has seen from its node.
 *
 * @example
 * ```ts
 * const delta = mvMap.set(form, 'email', 'ann@example.com', clock.tick());
 * form = mvMap.merge(form, delta); // and send mvMap.encode(delta) to the peers
 * ```
 */
export function set<V>(state: MvMap<V>, field: string, value: V, stamp: Stamp): MvMap<V> {
  const fields = new Map<string, MvField<V>>();
  write(fields, state, field, [{ value, stamp }], stamp);
  return { fields };
}

/**
 * Writes several fields in one delta, each as {@link set} would (for a form saved at once, or a
 * bulk import). `stamp` is one stamp for the whole batch or a function called once per field
 * (e.g. `() => clock.tick()`); a field named twice keeps its last value.
 */
export function setMany<V>(state: MvMap<V>, entries: Iterable<readonly [string, V]>, stamp: Stamp | (() => Stamp)): MvMap<V> {
  const last = new Map(entries);
  const fields = new Map<string, MvField<V>>();
  for (const [name, value] of last) {
    const at = typeof stamp === 'string' ? stamp : stamp();
    write(fields, state, name, [{ value, stamp: at }], at);
  }
  return { fields };
}

/**
 * Removes `field` at `stamp`: a delta superseding every sibling of the field `state` has seen
 * (a concurrent write it has not seen survives). Removing a field that holds no value is a no-op
 * and returns an empty delta.
 */
export function remove<V>(state: MvMap<V>, field: string, stamp: Stamp): MvMap<V> {
  const current = state.fields.get(field);
  if (current === undefined || current.siblings.length === 0) return create();
  const fields = new Map<string, MvField<V>>();
  write(fields, state, field, [], stamp);
  return { fields };
}

/**
 * Merges two maps (or a delta into a state) field by field, each as a multi-value register: a
 * sibling survives unless the other side has seen its write and dropped it. Commutative,
 * associative, idempotent. Returns `a` itself when `b` adds nothing.
 */
export function merge<V>(a: MvMap<V>, b: MvMap<V>): MvMap<V> {
  if (a === b) return a;
  let fields: Map<string, MvField<V>> | undefined;
  for (const [name, incoming] of b.fields) {
    const current = a.fields.get(name);
    const merged = current === undefined ? incoming : mergeRegisters(current, incoming);
    if (merged === current) continue;
    fields ??= new Map(a.fields);
    fields.set(name, merged);
  }
  return fields === undefined ? a : { fields };
}

/** The siblings of one field, oldest stamp first (empty when unset or removed). */
export function siblings<V>(state: MvMap<V>, field: string): readonly Sibling<V>[] {
  return state.fields.get(field)?.siblings ?? [];
}

/**
 * One value per live field, as a prototype-less record (so a field named `__proto__` is an own
 * property): the newest sibling, or `resolve(siblings)` for a field with concurrent siblings.
 * Removed fields are absent. Reading never changes the map; {@link set} the chosen value to resolve
 * a conflict for everyone.
 */
export function value<V>(state: MvMap<V>, resolve?: (siblings: readonly Sibling<V>[]) => V): Readonly<Record<string, V>> {
  const out = Object.create(null) as Record<string, V>;
  for (const [name, field] of state.fields) {
    const { siblings: all } = field;
    if (all.length === 0) continue;
    out[name] = all.length > 1 && resolve !== undefined ? resolve(all) : (all[all.length - 1] as Sibling<V>).value;
  }
  return out;
}

/**
 * The fields in conflict — those with two or more concurrent siblings — each with its siblings in
 * stamp order, as a prototype-less record. Fields without a conflict are absent.
 */
export function conflicts<V>(state: MvMap<V>): Readonly<Record<string, readonly Sibling<V>[]>> {
  const out = Object.create(null) as Record<string, readonly Sibling<V>[]>;
  for (const [name, field] of state.fields) if (field.siblings.length > 1) out[name] = field.siblings;
  return out;
}

/**
 * The fields a replica at version `since` lacks, each whole (siblings and `seen`). Sound when
 * `since` is the {@link version} of a replica that has merged, for each node, every write up to the
 * stamp its version names — true of replicas that merge whole states and deltas from this function;
 * a replica that merges {@link set} deltas out of order must receive every one of them (an outbox
 * resends until acknowledged).
 */
export function delta<V>(state: MvMap<V>, since: VersionVector): MvMap<V> {
  const fields = new Map<string, MvField<V>>();
  for (const [name, field] of state.fields) if (!coversVersion(since, field.seen)) fields.set(name, field);
  return { fields };
}

/** The map's version vector: every write it has seen, across all fields. */
export function version<V>(state: MvMap<V>): VersionVector {
  let seen = emptyVersion();
  for (const field of state.fields.values()) seen = mergeVersions(seen, field.seen);
  return seen;
}
