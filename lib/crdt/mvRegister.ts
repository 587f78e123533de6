import { RxSyncError } from '../errors.js';
import { arrayField, assertEnvelope, assertJson, compareJson, field, invalid, type Json } from './json.js';
import { isStamp, stampNode, type Stamp } from './stamp.js';
import {
  coversVersion,
  decodeVersion,
  emptyVersion,
  encodeVersion,
  hasSeen,
  mergeVersions,
  witness,
  type EncodedVersionVector,
  type VersionVector,
} from './versionVector.js';

/** One of the concurrent values of a {@link MvRegister}, with the stamp (and so the node) that wrote it. */
export interface Sibling<V> {
  readonly value: V;
  readonly stamp: Stamp;
}

/**
 * A multi-value register: concurrent writes are all kept, side by side, as `siblings` (sorted by
 * stamp) until a write that has seen them replaces them. `seen` is the version vector of every
 * write the register has observed; a sibling another replica has seen but no longer holds was
 * overwritten there, which is how merges drop it.
 */
export interface MvRegister<V> {
  readonly siblings: readonly Sibling<V>[];
  readonly seen: VersionVector;
}

/** JSON form of a {@link MvRegister}: siblings as `[stamp, value]` pairs in stamp order. */
export interface EncodedMvRegister {
  readonly type: 'mv-register';
  readonly v: 1;
  readonly seen: EncodedVersionVector;
  readonly siblings: readonly (readonly [Stamp, Json])[];
}

const KIND = 'mv-register';

/** A register nobody has written. */
export function create<V>(): MvRegister<V> {
  return { siblings: [], seen: emptyVersion() };
}

/**
 * Writes `value` at `stamp` (from the writer's `clock.tick()`). The write has seen every current
 * sibling, so it replaces them all: this is how a conflict is resolved — with one write.
 * Throws `E_CRDT_STALE_STAMP` when `stamp` is not newer than what this register has seen from its
 * node (a clock that went backwards or a reused stamp).
 *
 * @example
 * ```ts
 * reg = mvRegister.set(reg, 'Blue', clock.tick()); // resolves any siblings to 'Blue'
 * ```
 */
export function set<V>(register: MvRegister<V>, value: V, stamp: Stamp): MvRegister<V> {
  const known = register.seen.get(stampNode(stamp));
  if (known !== undefined && stamp <= known) {
    throw new RxSyncError('E_CRDT_STALE_STAMP', `mv-register: stamp ${stamp} is not newer than ${known} already seen from its node`);
  }
  return { siblings: [{ value, stamp }], seen: witness(register.seen, stamp) };
}

/** Every current value, oldest stamp first (one value when there is no conflict, none when unset). */
export function values<V>(register: MvRegister<V>): V[] {
  return register.siblings.map((s) => s.value);
}

/**
 * A single value: `resolve(siblings)` when given, else the value with the newest stamp. Reading
 * never changes the register; write the chosen value with {@link set} to resolve for everyone.
 */
export function value<V>(register: MvRegister<V>, resolve?: (siblings: readonly Sibling<V>[]) => V): V | undefined {
  const { siblings } = register;
  if (siblings.length === 0) return undefined;
  if (siblings.length > 1 && resolve !== undefined) return resolve(siblings);
  return (siblings[siblings.length - 1] as Sibling<V>).value;
}

/** The unresolved siblings (two or more), or an empty array when there is no conflict. */
export function conflicts<V>(register: MvRegister<V>): readonly Sibling<V>[] {
  return register.siblings.length > 1 ? register.siblings : [];
}

/**
 * Merges two registers: a sibling survives unless the other side has seen its write and dropped it.
 * Commutative, associative, idempotent. Returns `a` itself when `b` adds nothing.
 */
export function merge<V>(a: MvRegister<V>, b: MvRegister<V>): MvRegister<V> {
  if (a === b) return a;
  const inB = new Map(b.siblings.map((s) => [s.stamp, s]));
  const kept: Sibling<V>[] = [];
  let changed = false;
  for (const sibling of a.siblings) {
    const twin = inB.get(sibling.stamp);
    if (twin !== undefined) {
      inB.delete(sibling.stamp);
      // Equal stamps with different values come only from a broken writer; pick deterministically.
      if (twin !== sibling && compareJson(twin.value, sibling.value) > 0) {
        kept.push(twin);
        changed = true;
      } else kept.push(sibling);
    } else if (!hasSeen(b.seen, sibling.stamp)) kept.push(sibling);
    else changed = true;
  }
  for (const sibling of inB.values()) {
    if (!hasSeen(a.seen, sibling.stamp)) {
      kept.push(sibling);
      changed = true;
    }
  }
  const seen = mergeVersions(a.seen, b.seen);
  if (!changed && seen === a.seen) return a;
  kept.sort((x, y) => (x.stamp < y.stamp ? -1 : 1));
  return { siblings: kept, seen };
}

/** What a replica at version `since` lacks: the whole register (it is small) or an empty one. */
export function delta<V>(register: MvRegister<V>, since: VersionVector): MvRegister<V> {
  return coversVersion(since, register.seen) ? create() : register;
}

/** The register's version vector, to send to a peer that will compute a {@link delta} for us. */
export function version<V>(register: MvRegister<V>): VersionVector {
  return register.seen;
}

/** JSON-safe form of a register whose values are JSON data. */
export function encode<V>(register: MvRegister<V>): EncodedMvRegister {
  return {
    type: KIND,
    v: 1,
    seen: encodeVersion(register.seen),
    siblings: register.siblings.map((s) => [s.stamp, s.value as Json] as const),
  };
}

/**
 * Validates an encoded register (every field, before use) and decodes it; throws `E_CRDT_INVALID`
 * naming the offending field.
 */
export function decode(input: unknown): MvRegister<Json> {
  assertEnvelope(KIND, input);
  const seen = decodeVersion(KIND, 'seen', field(KIND, input, 'seen'));
  const pairs = arrayField(KIND, 'siblings', field(KIND, input, 'siblings'));
  const siblings: Sibling<Json>[] = [];
  pairs.forEach((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) invalid(KIND, `siblings[${i}]`, 'must be a [stamp, value] pair');
    const [stamp, sibling] = pair as unknown[];
    if (!isStamp(stamp)) invalid(KIND, `siblings[${i}][0]`, 'must be a stamp');
    if (i > 0 && !(stamp > (siblings[i - 1] as Sibling<Json>).stamp))
      invalid(KIND, `siblings[${i}][0]`, 'must be greater than the previous stamp');
    if (!hasSeen(seen, stamp)) invalid(KIND, `siblings[${i}][0]`, 'is newer than seen for its node');
    assertJson(KIND, `siblings[${i}][1]`, sibling);
    siblings.push({ stamp, value: sibling });
  });
  return { siblings, seen };
}
