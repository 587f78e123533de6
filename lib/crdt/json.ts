import { RxSyncError } from '../errors.js';

/** A JSON value: what CRDT payloads may hold so they survive `JSON.stringify`/`JSON.parse`. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** Deepest nesting accepted in a decoded value; guards the validator's recursion. */
const MAX_DEPTH = 64;

/** Throws the decode error every CRDT uses: the message names the offending field path. */
export function invalid(kind: string, path: string, problem: string): never {
  throw new RxSyncError('E_CRDT_INVALID', `${kind}: ${path} ${problem}`, { details: { kind, path } });
}

/** Extends a path with an object key, quoting keys that are not plain identifiers. */
export function pathKey(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * Checks that `value` is JSON data (finite numbers, plain objects and arrays, no cycles, at most 64
 * levels deep). Object keys such as `__proto__` are fine: they are read with `Object.keys`, never
 * assigned, so they stay ordinary own properties. The error names the path and what is wrong with
 * the value there, with the usual way to store it (`a Date …; store date.toISOString()`).
 */
export function assertJson(kind: string, path: string, value: unknown): asserts value is Json {
  check(kind, path, value, []);
}

function check(kind: string, path: string, value: unknown, ancestors: Array<{ value: object; path: string }>): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) invalid(kind, path, `must be a finite number, got ${String(value)} (JSON would turn it into null)`);
    return;
  }
  if (typeof value !== 'object') invalid(kind, path, notJson(value));
  const loop = ancestors.find((a) => a.value === value);
  if (loop !== undefined) invalid(kind, path, `refers back to ${loop.path}: a cycle is not JSON`);
  if (ancestors.length >= MAX_DEPTH) invalid(kind, path, `nests deeper than ${MAX_DEPTH} levels`);
  if (!Array.isArray(value)) {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) invalid(kind, path, notJson(value));
  }
  ancestors.push({ value, path }); // one stack for the walk; a throw abandons it
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) check(kind, `${path}[${i}]`, value[i], ancestors);
  } else {
    for (const key of Object.keys(value)) check(kind, pathKey(path, key), (value as Record<string, unknown>)[key], ancestors);
  }
  ancestors.pop();
}

/** What is wrong with a value JSON cannot hold, and how such a value is usually stored. */
function notJson(value: unknown): string {
  switch (typeof value) {
    case 'undefined':
      return 'is undefined, which JSON drops: use null, or remove the field';
    case 'function':
      return 'must be JSON data, got function: a function is not data';
    case 'bigint':
      return `is the BigInt ${String(value)}n, which JSON cannot hold: store it as a string (value.toString())`;
    case 'symbol':
      return 'must be JSON data, got symbol';
  }
  if (value instanceof Date) return 'is a Date, which is not JSON: store date.toISOString() (or date.getTime())';
  if (value instanceof Map) return 'is a Map, which is not JSON: store Object.fromEntries(map)';
  if (value instanceof Set) return 'is a Set, which is not JSON: store [...set]';
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return 'is binary data, which is not JSON: store it base64-encoded';
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } }).constructor?.name;
  const what = typeof name === 'string' && name !== '' ? `a ${name} instance` : 'an object with a prototype';
  return `is ${what}, not a plain object: store a plain object of its fields`;
}

/**
 * A deterministic order on JSON values, used only to break ties between writes carrying the same
 * stamp (which honest replicas never produce) so that merge stays commutative even then.
 */
export function compareJson(a: unknown, b: unknown): number {
  if (a === b) return 0;
  const x = JSON.stringify(a) ?? '';
  const y = JSON.stringify(b) ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Reads a required own field of a decoded object; absent and inherited fields both count as missing. */
export function field(kind: string, obj: object, name: string): unknown {
  return Object.hasOwn(obj, name) ? (obj as Record<string, unknown>)[name] : undefined;
}

/** Checks the envelope shared by every encoded CRDT: an object with the expected `type` and `v: 1`. */
export function assertEnvelope(kind: string, input: unknown): asserts input is object {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) invalid(kind, '(root)', 'must be an object');
  if (field(kind, input, 'type') !== kind) invalid(kind, 'type', `must be ${JSON.stringify(kind)}`);
  if (field(kind, input, 'v') !== 1) invalid(kind, 'v', 'must be 1 (the only encoding version)');
}

/** Checks that `value` is an array and returns it typed as such. */
export function arrayField(kind: string, path: string, value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) invalid(kind, path, 'must be an array');
  return value;
}
