import { RxSyncError } from '../errors.js';

/**
 * A query key: an array of JSON-like parts, most general first (`['todos', { done: false }]`),
 * so invalidating `['todos']` reaches every todo query.
 */
export type QueryKey = readonly unknown[];

/** A key with its hash and the hash of each part, computed once. */
export interface HashedKey {
  readonly key: QueryKey;
  /** Stable text of the whole key: object fields sorted, so `{a, b}` and `{b, a}` agree. */
  readonly hash: string;
  /** Hash of each part, for prefix matching without re-serializing. */
  readonly parts: readonly string[];
}

const hashed = new WeakMap<QueryKey, HashedKey>();

/**
 * Hashes a query key. The result is cached per key array, so passing the same array again costs a
 * lookup; keys are treated as immutable. Throws `E_KEY_INVALID` naming the offending part for
 * anything that is not JSON-like (functions, symbols, bigints, non-finite numbers, class
 * instances, cycles).
 */
export function hashQueryKey(key: QueryKey): HashedKey {
  if (!Array.isArray(key)) {
    throw new RxSyncError('E_KEY_INVALID', `A query key must be an array, got ${describe(key)}`);
  }
  const cached = hashed.get(key);
  if (cached !== undefined) return cached;
  const parts = key.map((part, i) => serialize(part, `key[${i}]`, new Set()));
  const result: HashedKey = { key, hash: `[${parts.join(',')}]`, parts };
  hashed.set(key, result);
  return result;
}

/** True when `prefix` equals the first `prefix.length` parts of `key`. */
export function matchesKeyPrefix(key: HashedKey, prefix: HashedKey): boolean {
  if (prefix.parts.length > key.parts.length) return false;
  for (let i = 0; i < prefix.parts.length; i++) {
    if (prefix.parts[i] !== key.parts[i]) return false;
  }
  return true;
}

function serialize(value: unknown, path: string, ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw invalid(path, `the number ${value} (not JSON)`);
      return JSON.stringify(value);
    case 'undefined':
      return 'null';
    case 'object': {
      if (value === null) return 'null';
      if (ancestors.has(value)) throw invalid(path, 'a cycle');
      ancestors.add(value);
      let text: string;
      if (Array.isArray(value)) {
        text = `[${value.map((item, i) => serialize(item, `${path}[${i}]`, ancestors)).join(',')}]`;
      } else {
        const proto: unknown = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          throw invalid(path, `an instance of ${(value as object).constructor?.name ?? 'a class'} (only plain objects and arrays)`);
        }
        const fields: string[] = [];
        for (const field of Object.keys(value).sort()) {
          const item = (value as Record<string, unknown>)[field];
          if (item === undefined) continue; // as in JSON: an absent field and an undefined one agree
          fields.push(`${JSON.stringify(field)}:${serialize(item, `${path}.${field}`, ancestors)}`);
        }
        text = `{${fields.join(',')}}`;
      }
      ancestors.delete(value);
      return text;
    }
    default:
      throw invalid(path, describe(value));
  }
}

function invalid(path: string, what: string): RxSyncError {
  return new RxSyncError('E_KEY_INVALID', `Query key part ${path} cannot be hashed: ${what}`, { details: { path } });
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'bigint') return 'a bigint';
  return value === null ? 'null' : typeof value;
}
