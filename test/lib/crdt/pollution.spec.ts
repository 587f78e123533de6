import fc from 'fast-check';
import { createHlc, lwwMap, mvRegister, orSet, type Json, type Stamp } from '../../../lib/crdt/index.js';
import { fcParams } from '../../support/fc.js';

// Payloads from the network are built by JSON.parse, which turns "__proto__" into an own property.
// They must stay data: stored, merged and round-tripped, never reaching any prototype.
const RESERVED = ['__proto__', 'constructor', 'prototype'] as const;
const POISON = '{"polluted":"yes","toString":"x"}';

/** JSON text of a value nesting reserved keys (each holding a poison object) to a random depth. */
const nestedText: fc.Arbitrary<string> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(POISON),
    fc.integer().map(String),
    fc
      .tuple(fc.constantFrom(...RESERVED), tie('node'), fc.constantFrom(...RESERVED), tie('node'))
      .map(([k1, v1, k2, v2]) => `{"${k1}":${v1},"${k2}":${v2}}`),
    fc.array(tie('node'), { maxLength: 3 }).map((items) => `[${items.join(',')}]`),
  ),
})).node;

function assertNoPollution(): void {
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(Object.prototype.toString.call([])).toBe('[object Array]');
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  expect(typeof ({} as { constructor: unknown }).constructor).toBe('function');
}

describe('reserved keys are data', () => {
  it('LwwMap: keys, node ids and nested values named __proto__/constructor/prototype round-trip and pollute nothing', () => {
    fc.assert(
      fc.property(fc.constantFrom(...RESERVED), fc.constantFrom(...RESERVED), nestedText, (key, node, valueText) => {
        const clock = createHlc({ nodeId: node, now: () => 1_700_000_000_000 });
        const local = lwwMap.set(lwwMap.create<Json>(), 'plain', 1, clock.tick());
        const remoteClock = createHlc({ nodeId: `${node}2`, now: () => 1_700_000_000_001 });
        const remoteState = lwwMap.set(lwwMap.create<Json>(), key, JSON.parse(valueText) as Json, remoteClock.tick());
        // The envelope itself carries a reserved key too; the decoder must ignore it.
        const text = JSON.stringify(lwwMap.encode(remoteState)).replace('{', `{"__proto__":${POISON},`);
        const merged = lwwMap.merge(local, lwwMap.decode(JSON.parse(text)));
        assertNoPollution();
        const view = lwwMap.value(merged);
        expect(Object.getPrototypeOf(view)).toBeNull();
        expect(Object.hasOwn(view, key)).toBe(true);
        expect(JSON.stringify(view[key])).toBe(JSON.stringify(JSON.parse(valueText)));
        // And back out through encode/decode again, unchanged.
        const again = lwwMap.decode(JSON.parse(JSON.stringify(lwwMap.encode(merged))));
        expect(JSON.stringify(lwwMap.value(again)[key])).toBe(JSON.stringify(JSON.parse(valueText)));
        assertNoPollution();
      }),
      fcParams(500),
    );
  });

  it('MvRegister and OrSet keep reserved strings as values, elements and node ids', () => {
    for (const word of RESERVED) {
      const clock = createHlc({ nodeId: word, now: () => 1_700_000_000_000 });
      const reg = mvRegister.decode(
        JSON.parse(
          JSON.stringify(
            mvRegister.encode(mvRegister.set(mvRegister.create<Json>(), JSON.parse(`{"${word}":${POISON}}`) as Json, clock.tick())),
          ),
        ),
      );
      const merged = mvRegister.merge(mvRegister.create<Json>(), reg);
      expect(JSON.stringify(mvRegister.value(merged))).toBe(`{"${word}":${POISON}}`);
      const set = orSet.decode(JSON.parse(JSON.stringify(orSet.encode(orSet.add(orSet.create(), word, clock.tick())))));
      expect(orSet.has(orSet.merge(orSet.create(), set), word)).toBe(true);
      expect(set.seen.get(word)).toBe(clock.peek() as Stamp);
      assertNoPollution();
    }
  });
});
