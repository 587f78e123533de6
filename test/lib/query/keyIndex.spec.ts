import fc from 'fast-check';
import { KeyIndex } from '../../../lib/query/keyIndex.js';
import { queryKeyHash } from '../../../lib/query/queryKey.js';
import { fcParams } from '../../support/fc.js';

const part = fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: -3, max: 3 }), fc.boolean(), fc.constant(-0));
const key = fc.array(part, { maxLength: 3 });

describe('KeyIndex', () => {
  it('finds exactly what the hash finds, for primitive keys (property)', () => {
    fc.assert(
      fc.property(fc.array(key, { maxLength: 12 }), key, fc.array(fc.nat(), { maxLength: 4 }), (stored, probe, deletions) => {
        const index = new KeyIndex<string>();
        const byHash = new Map<string, string>();
        for (const k of stored) {
          index.set(k, queryKeyHash(k));
          byHash.set(queryKeyHash(k), queryKeyHash(k));
        }
        for (const d of deletions) {
          const k = stored[d % Math.max(1, stored.length)];
          if (k === undefined) continue;
          index.delete(k);
          byHash.delete(queryKeyHash(k));
        }
        for (const k of [...stored, probe]) expect(index.get(k)).toBe(byHash.get(queryKeyHash(k)));
      }),
      fcParams(500),
    );
  });

  it('does not index keys with object, null or undefined parts', () => {
    const index = new KeyIndex<number>();
    expect(index.set(['a', { page: 1 }], 1)).toBe(false);
    expect(index.set(['a', null], 1)).toBe(false);
    expect(index.set(['a', undefined], 1)).toBe(false);
    expect(index.get(['a', null])).toBeUndefined();
    expect(index.set(['a', 1, true], 2)).toBe(true);
    expect(index.get(['a', 1, true])).toBe(2);
    expect(index.get(['a', '1', true])).toBeUndefined();
  });
});
