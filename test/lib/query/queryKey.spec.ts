import fc from 'fast-check';
import { hashQueryKey, matchesKeyPrefix, queryKeyHash } from '../../../lib/query/queryKey.js';
import { fcParams } from '../../support/fc.js';

/** The reference: JSON text with object fields in sorted order and undefined fields dropped. */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : reference(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const fields = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${reference((value as Record<string, unknown>)[k])}`);
    return `{${fields.join(',')}}`;
  }
  return JSON.stringify(value);
}

const keyArb = fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 });

describe('query key hashing', () => {
  it('matches sorted-field JSON for any JSON key, cached or not (property)', () => {
    fc.assert(
      fc.property(keyArb, (key) => {
        const expected = reference(key);
        expect(queryKeyHash(key)).toBe(expected);
        expect(hashQueryKey(key).hash).toBe(expected);
        expect(queryKeyHash(key)).toBe(expected); // now from the cache
      }),
      fcParams(500),
    );
  });

  it('is independent of field order and treats reserved names as data', () => {
    const a = JSON.parse('["doc", {"__proto__": {"x": 1}, "constructor": 2, "b": 1}]') as unknown[];
    const b = JSON.parse('["doc", {"b": 1, "constructor": 2, "__proto__": {"x": 1}}]') as unknown[];
    expect(queryKeyHash(a)).toBe(queryKeyHash(b));
    expect(queryKeyHash(a)).toContain('"__proto__":{"x":1}');
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it('keeps distinct what JSON keeps distinct', () => {
    expect(queryKeyHash(['1'])).not.toBe(queryKeyHash([1]));
    expect(queryKeyHash([true])).not.toBe(queryKeyHash(['true']));
    expect(queryKeyHash(['a,b'])).not.toBe(queryKeyHash(['a', 'b']));
    expect(queryKeyHash(['a"'])).toBe('["a\\""]');
  });

  it('matches prefixes part by part', () => {
    const key = hashQueryKey(['todos', { done: false }, 3]);
    expect(matchesKeyPrefix(key, hashQueryKey([]))).toBe(true);
    expect(matchesKeyPrefix(key, hashQueryKey(['todos']))).toBe(true);
    expect(matchesKeyPrefix(key, hashQueryKey(['todos', { done: false }]))).toBe(true);
    expect(matchesKeyPrefix(key, hashQueryKey(['todos', { done: true }]))).toBe(false);
    expect(matchesKeyPrefix(key, hashQueryKey(['todo']))).toBe(false);
    expect(matchesKeyPrefix(hashQueryKey(['todos']), key)).toBe(false);
  });

  it('matches a prefix on the hash text exactly when the parts match (property)', () => {
    // Keys that share leading parts (or part texts that are prefixes of others: 1 and 12, "a" and "a,b").
    const part = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(1, 12, 1.5, 'a', 'a,b', 'a"', [1], [1, 2], { a: 1 }, { a: 1, b: 2 }),
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 4 }), fc.array(part, { maxLength: 4 }), fc.nat(4), (head, tail, cut) => {
        const key = [...head, ...tail];
        const prefixes = [head, key.slice(0, Math.min(cut, key.length)), tail];
        for (const prefix of prefixes) {
          const byParts = prefix.length <= key.length && prefix.every((p, i) => reference([p]) === reference([key[i]]));
          expect(matchesKeyPrefix(hashQueryKey(key), hashQueryKey(prefix))).toBe(byParts);
        }
      }),
      fcParams(500),
    );
  });

  it('computes the hash once per key array', () => {
    const key = ['todos', { page: 1 }];
    expect(hashQueryKey(key)).toBe(hashQueryKey(key));
  });
});
