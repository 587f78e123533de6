import { assertEnvelope, assertJson, compareJson, field, invalid, type Json } from './json.js';
import { isStamp, type Stamp } from './stamp.js';

/**
 * A last-writer-wins register: one value and the stamp of the write that set it. The newest stamp
 * wins every merge. `stamp` is `null` for a register nobody has written.
 */
export interface LwwRegister<V> {
  readonly stamp: Stamp | null;
  readonly value: V | undefined;
}

/** JSON form of an {@link LwwRegister}. */
export interface EncodedLwwRegister {
  readonly type: 'lww-register';
  readonly v: 1;
  readonly stamp: Stamp | null;
  readonly value?: Json;
}

const KIND = 'lww-register';

/** A register nobody has written. */
export function create<V>(): LwwRegister<V> {
  return { stamp: null, value: undefined };
}

/**
 * Writes `value` at `stamp` (from `clock.tick()`). A write older than the current one is ignored,
 * exactly as if it had arrived by merge.
 */
export function set<V>(register: LwwRegister<V>, value: V, stamp: Stamp): LwwRegister<V> {
  return merge(register, { stamp, value });
}

/** The current value (`undefined` when never written). */
export function value<V>(register: LwwRegister<V>): V | undefined {
  return register.value;
}

/**
 * Merges two registers: the newer stamp wins; equal stamps (never produced by honest clocks) fall
 * back to a deterministic order of the values. Returns `a` itself when `b` changes nothing.
 */
export function merge<V>(a: LwwRegister<V>, b: LwwRegister<V>): LwwRegister<V> {
  if (b.stamp === null) return a;
  if (a.stamp === null || b.stamp > a.stamp) return b;
  if (b.stamp < a.stamp) return a;
  return compareJson(b.value, a.value) > 0 ? b : a;
}

/** What `since` (a stamp the receiver holds, or `null`) lacks: the register itself, or an empty one. */
export function delta<V>(register: LwwRegister<V>, since: Stamp | null): LwwRegister<V> {
  return register.stamp !== null && (since === null || register.stamp > since) ? register : create();
}

/** The register's version, to pass to the sender's {@link delta}. */
export function version<V>(register: LwwRegister<V>): Stamp | null {
  return register.stamp;
}

/** JSON-safe form; the value must be JSON data. */
export function encode<V>(register: LwwRegister<V>): EncodedLwwRegister {
  return register.stamp === null
    ? { type: KIND, v: 1, stamp: null }
    : { type: KIND, v: 1, stamp: register.stamp, value: register.value as Json };
}

/**
 * Validates an encoded register (every field, before use) and decodes it. Throws `E_CRDT_INVALID`
 * naming the offending field.
 */
export function decode(input: unknown): LwwRegister<Json> {
  assertEnvelope(KIND, input);
  const stamp = field(KIND, input, 'stamp');
  if (stamp === null) {
    if (Object.hasOwn(input, 'value')) invalid(KIND, 'value', 'must be absent when stamp is null');
    return create();
  }
  if (!isStamp(stamp)) invalid(KIND, 'stamp', 'must be a stamp or null');
  if (!Object.hasOwn(input, 'value')) invalid(KIND, 'value', 'is missing');
  const decoded = field(KIND, input, 'value');
  assertJson(KIND, 'value', decoded);
  return { stamp, value: decoded };
}
