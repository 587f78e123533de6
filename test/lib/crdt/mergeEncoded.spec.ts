import fc from 'fast-check';
import { isRxSyncError } from '../../../lib/errors.js';
import { createHlc, lwwMap, stableStamp, type Json } from '../../../lib/crdt/index.js';
import { fcParams } from '../../support/fc.js';
import { lwwMapSpec, opArb, threeStates } from './replicas.js';

// The one-pass bulk path must agree exactly with decode-then-merge, including on compacted maps.
const wire = (m: lwwMap.LwwMap<Json>): unknown => JSON.parse(JSON.stringify(lwwMap.encode(m)));

/** The map compacted at its oldest known stamp (or itself when it has none). */
function compactedCopy(m: lwwMap.LwwMap<Json>): lwwMap.LwwMap<Json> {
  const stable = stableStamp(m.seen.values());
  return stable === undefined ? m : lwwMap.compact(m, stable);
}

describe('lwwMap.mergeEncoded', () => {
  it('equals merge(map, decode(payload)) for states, deltas and compacted targets', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 24 }), fc.boolean(), (ops, compactTarget) => {
        const [a, b, c] = threeStates(lwwMapSpec, ops);
        let target = lwwMap.merge(b, c);
        if (compactTarget) {
          const stamps = [...target.entries.values()].map((e) => e.stamp);
          const stable = stableStamp(stamps);
          if (stable !== undefined) target = lwwMap.compact(target, stable);
        }
        for (const payload of [a, lwwMap.delta(a, target.seen), compactedCopy(a)]) {
          const expected = lwwMap.merge(target, lwwMap.decode(wire(payload)));
          const actual = lwwMap.mergeEncoded(target, wire(payload));
          expect(lwwMapSpec.canon(actual)).toBe(lwwMapSpec.canon(expected));
          if (expected === target) expect(actual).toBe(target);
        }
      }),
      fcParams(500),
    );
  });

  it('rejects repeated keys and bad values like decode, leaving the target untouched', () => {
    const clock = createHlc({ nodeId: 'n', now: () => 1_700_000_000_000 });
    const target = lwwMap.set(lwwMap.create<Json>(), 'a', 1, clock.tick());
    const snapshot = JSON.stringify(lwwMap.encode(target));
    const payload = wire(
      lwwMap.setMany(
        lwwMap.create<Json>(),
        [
          ['a', 2],
          ['b', 3],
        ],
        () => clock.tick(),
      ),
    ) as { keys: string[]; values: Json[] };
    for (const bad of [
      { ...payload, keys: ['b', 'b'] },
      { ...payload, keys: ['a', 'a'] },
      { ...payload, values: [2, { x: [Number.POSITIVE_INFINITY] }] },
    ]) {
      let error: unknown;
      try {
        lwwMap.mergeEncoded(target, bad);
      } catch (e) {
        error = e;
      }
      expect(isRxSyncError(error, 'E_CRDT_INVALID')).toBe(true);
      expect(() => lwwMap.decode(bad)).toThrow((error as Error).message);
    }
    expect(JSON.stringify(lwwMap.encode(target))).toBe(snapshot);
    expect(lwwMap.value(lwwMap.mergeEncoded(target, payload))).toEqual(Object.assign(Object.create(null), { a: 2, b: 3 }));
    expect(lwwMap.mergeEncoded(target, wire(target))).toBe(target);
  });
});
