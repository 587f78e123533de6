import { assertEnvelope, field, invalid, pathKey, type Json } from './json.js';
import * as mvRegister from './mvRegister.js';
import type { Sibling } from './mvRegister.js';
import type { Stamp } from './stamp.js';
import { emptyVersion, mergeVersions, type VersionVector } from './versionVector.js';

// A per-field multi-value map: each field is a multi-value register whose siblings are either a
// value (`[value]`) or a removal (`[]`), so a concurrent set and remove are kept side by side too.

/** One field's slot: `[value]` when set, `[]` when removed. */
type Slot<V> = readonly [V] | readonly [];

/** A map whose fields each keep their concurrent writes as siblings until a write resolves them. */
export interface MvMap<V> {
  readonly fields: ReadonlyMap<string, mvRegister.MvRegister<Slot<V>>>;
}

/** JSON form of a {@link MvMap}: each field as an encoded multi-value register of slots. */
export interface EncodedMvMap {
  readonly type: 'mv-map';
  readonly v: 1;
  readonly fields: Readonly<Record<string, mvRegister.EncodedMvRegister>>;
}

const KIND = 'mv-map';

/** A map nobody has written. */
export function create<V>(): MvMap<V> {
  return { fields: new Map() };
}

function write<V>(state: MvMap<V>, name: string, slot: Slot<V>, stamp: Stamp): MvMap<V> {
  const current = state.fields.get(name) ?? mvRegister.create<Slot<V>>();
  return { fields: new Map([[name, mvRegister.set(current, slot, stamp)]]) };
}

/** A delta setting `name` to `value`; it supersedes every sibling of that field `state` has seen. */
export function set<V>(state: MvMap<V>, name: string, value: V, stamp: Stamp): MvMap<V> {
  return write(state, name, [value], stamp);
}

/** A delta removing `name`; it supersedes every sibling of that field `state` has seen. */
export function remove<V>(state: MvMap<V>, name: string, stamp: Stamp): MvMap<V> {
  return write(state, name, [], stamp);
}

/** Merges field by field. Commutative, associative, idempotent; returns `a` when `b` adds nothing. */
export function merge<V>(a: MvMap<V>, b: MvMap<V>): MvMap<V> {
  if (a === b) return a;
  let fields: Map<string, mvRegister.MvRegister<Slot<V>>> | undefined;
  for (const [name, theirs] of b.fields) {
    const ours = a.fields.get(name);
    const merged = ours === undefined ? theirs : mvRegister.merge(ours, theirs);
    if (merged === ours) continue;
    fields ??= new Map(a.fields);
    fields.set(name, merged);
  }
  return fields === undefined ? a : { fields };
}

const valueSiblings = <V>(register: mvRegister.MvRegister<Slot<V>>): Sibling<V>[] =>
  register.siblings.flatMap((s) => (s.value.length === 1 ? [{ value: s.value[0], stamp: s.stamp }] : []));

/**
 * One value per live field: the newest sibling (or `resolve(siblings)` when a field has several
 * values). A field whose newest sibling is a removal is absent.
 */
export function value<V>(state: MvMap<V>, resolve?: (siblings: readonly Sibling<V>[]) => V): Readonly<Record<string, V>> {
  const out = Object.create(null) as Record<string, V>;
  for (const [name, register] of state.fields) {
    const newest = register.siblings[register.siblings.length - 1];
    if (newest === undefined || newest.value.length === 0) continue;
    const values = valueSiblings(register);
    out[name] = values.length > 1 && resolve !== undefined ? resolve(values) : (newest.value[0] as V);
  }
  return out;
}

/** The fields holding two or more concurrent values, each with its siblings (oldest stamp first). */
export function conflicts<V>(state: MvMap<V>): Readonly<Record<string, readonly Sibling<V>[]>> {
  const out = Object.create(null) as Record<string, readonly Sibling<V>[]>;
  for (const [name, register] of state.fields) {
    const values = valueSiblings(register);
    if (values.length > 1) out[name] = values;
  }
  return out;
}

/** Every write the map has seen, per node. */
export function version<V>(state: MvMap<V>): VersionVector {
  let seen = emptyVersion();
  for (const register of state.fields.values()) seen = mergeVersions(seen, register.seen);
  return seen;
}

/** JSON-safe form of a map whose values are JSON data. */
export function encode<V>(state: MvMap<V>): EncodedMvMap {
  const fields = Object.create(null) as Record<string, mvRegister.EncodedMvRegister>;
  for (const [name, register] of state.fields) fields[name] = mvRegister.encode(register as mvRegister.MvRegister<Json>);
  return { type: KIND, v: 1, fields };
}

/** Validates an encoded map (every field, before use) and decodes it; throws `E_CRDT_INVALID` naming the field. */
export function decode(input: unknown): MvMap<Json> {
  assertEnvelope(KIND, input);
  const encoded = field(KIND, input, 'fields');
  if (typeof encoded !== 'object' || encoded === null || Array.isArray(encoded)) invalid(KIND, 'fields', 'must be an object');
  const fields = new Map<string, mvRegister.MvRegister<Slot<Json>>>();
  for (const [name, raw] of Object.entries(encoded)) {
    const path = pathKey('fields', name);
    let register: mvRegister.MvRegister<Json>;
    try {
      register = mvRegister.decode(raw);
    } catch (error) {
      invalid(KIND, path, (error as Error).message);
    }
    register.siblings.forEach((s, i) => {
      if (!Array.isArray(s.value) || s.value.length > 1) invalid(KIND, `${path}.siblings[${i}][1]`, 'must be [value] or []');
    });
    fields.set(name, register as mvRegister.MvRegister<Slot<Json>>);
  }
  return { fields };
}
