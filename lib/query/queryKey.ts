import { RxSyncError } from '../errors.js';

/**
 * A query key: an array of JSON-like parts, most general first (`['todos', { done: false }]`),
 * so invalidating `['todos']` reaches every todo query.
 */
export type QueryKey = readonly unknown[];

/** A key with its hash, computed once. */
export interface HashedKey {
  readonly key: QueryKey;
  /** Stable text of the whole key: object fields sorted, so `{a, b}` and `{b, a}` agree. */
  readonly hash: string;
  /** Hash of each part (computed on each read: prefix matching works on `hash` alone). */
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
  const cached = hashed.get(key);
  if (cached !== undefined) return cached;
  const result = new Hashed(key, queryKeyHash(key));
  hashed.set(key, result);
  return result;
}

/**
 * @internal Hashes a key that is about to be stored with its hash (a new cache entry keeps it):
 * nothing is cached per key array. Throws as {@link hashQueryKey} does.
 */
export function hashNewKey(key: QueryKey): HashedKey {
  return hashed.get(key) ?? new Hashed(key, queryKeyHash(key));
}

/** A hashed key: two fields, as every cache entry holds one (part hashes are derived when asked). */
class Hashed implements HashedKey {
  constructor(
    readonly key: QueryKey,
    readonly hash: string,
  ) {}

  get parts(): readonly string[] {
    return partsOf(this.key);
  }
}

/**
 * Just the hash text of a key, without caching anything: for one-off lookups such as
 * `getData(['todos', id])` with a key array built for that call.
 */
export function queryKeyHash(key: QueryKey): string {
  const cached = hashed.get(key);
  if (cached !== undefined) return cached.hash;
  if (!Array.isArray(key)) return `[${partsOf(key).join(',')}]`; // throws the usual error
  // Built directly, without the parts array: this runs on every one-off lookup and every new entry.
  let text = '[';
  for (let i = 0; i < key.length; i++) text += (i === 0 ? '' : ',') + serialize(key[i], i, undefined);
  return text + ']';
}

/**
 * True when `prefix` equals the first `prefix.length` parts of `key`, read off the hash texts: each
 * part is one complete JSON text and parts are joined by commas, so `key`'s text starts with
 * `prefix`'s text without its closing bracket, followed by the next comma or the closing bracket.
 */
export function matchesKeyPrefix(key: HashedKey, prefix: HashedKey): boolean {
  const head = prefix.hash.length - 1; // prefix.hash without its closing `]`
  if (head === 1) return true; // `[]` is a prefix of every key
  if (!key.hash.startsWith(prefix.hash.slice(0, head))) return false;
  const next = key.hash[head];
  return next === ',' || next === ']';
}

function partsOf(key: QueryKey): string[] {
  if (!Array.isArray(key)) {
    throw new RxSyncError('E_KEY_INVALID', `A query key must be an array, got ${describe(key)}`);
  }
  const parts = new Array<string>(key.length);
  for (let i = 0; i < key.length; i++) parts[i] = serialize(key[i], i, undefined);
  return parts;
}

/** `path` is a top-level index, or a readable path inside nested parts (built only there). */
function serialize(value: unknown, path: number | string, ancestors: Set<object> | undefined): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw invalid(path, `the number ${value} (not JSON)`);
      return String(value); // same text as JSON for finite numbers, several times faster
    case 'undefined':
      return 'null';
    case 'object': {
      if (value === null) return 'null';
      const seen = ancestors ?? new Set<object>();
      if (seen.has(value)) throw invalid(path, 'a cycle');
      seen.add(value);
      const base = typeof path === 'number' ? `key[${path}]` : path;
      let text: string;
      if (Array.isArray(value)) {
        text = `[${value.map((item, i) => serialize(item, `${base}[${i}]`, seen)).join(',')}]`;
      } else {
        const proto: unknown = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          throw invalid(path, `an instance of ${(value as object).constructor?.name ?? 'a class'} (only plain objects and arrays)`);
        }
        const fields: string[] = [];
        for (const field of Object.keys(value).sort()) {
          const item = (value as Record<string, unknown>)[field];
          if (item === undefined) continue; // as in JSON: an absent field and an undefined one agree
          fields.push(`${quote(field)}:${serialize(item, `${base}.${field}`, seen)}`);
        }
        text = `{${fields.join(',')}}`;
      }
      seen.delete(value);
      return text;
    }
    default:
      throw invalid(path, describe(value));
  }
}

// Characters JSON.stringify would escape (quote, backslash, controls, lone surrogates).
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
const needsEscape = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON text of a string; skips JSON.stringify for the common plain case (hot: every lookup). */
function quote(text: string): string {
  return needsEscape.test(text) ? JSON.stringify(text) : `"${text}"`;
}

function invalid(at: number | string, what: string): RxSyncError {
  const path = typeof at === 'number' ? `key[${at}]` : at;
  return new RxSyncError('E_KEY_INVALID', `Query key part ${path} cannot be hashed: ${what}`, { details: { path } });
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'bigint') return 'a bigint';
  return value === null ? 'null' : typeof value;
}
