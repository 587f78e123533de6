// The mv-map CRDT: merge is commutative, associative and idempotent over states built by random
// writers; replicas converge under any delivery order with duplicates; per-field conflicts are
// exactly the concurrent values; decode refuses malformed input naming the field.
import fc from 'fast-check';
import { createHlc } from '../../../lib/crdt/hlc';
import * as mvMap from '../../../lib/crdt/mvMap';
import type { Json } from '../../../lib/crdt/json';
import { fcParams } from '../../support/fc';

type Edit = { node: number; field: 'a' | 'b' | 'c'; value: number | null; sees: boolean[] };

const edit = fc.record({
  node: fc.integer({ min: 0, max: 2 }),
  field: fc.constantFrom<'a' | 'b' | 'c'>('a', 'b', 'c'),
  value: fc.option(fc.integer({ min: 0, max: 9 }), { nil: null }), // null: a removal
  sees: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
});

/** Runs the edits on three replicas (each edit made at its node, then shipped to those it `sees`): the deltas made. */
function simulate(edits: readonly Edit[]): mvMap.MvMap<Json>[] {
  let wall = 1_000;
  const clocks = [0, 1, 2].map((n) => createHlc({ nodeId: `n${n}`, now: () => wall }));
  const replicas = [0, 1, 2].map(() => mvMap.create<Json>());
  const deltas: mvMap.MvMap<Json>[] = [];
  for (const e of edits) {
    wall++;
    const at = replicas[e.node] as mvMap.MvMap<Json>;
    const stamp = (clocks[e.node] as ReturnType<typeof createHlc>).tick();
    const delta = e.value === null ? mvMap.remove(at, e.field, stamp) : mvMap.set(at, e.field, e.value, stamp);
    deltas.push(delta);
    replicas[e.node] = mvMap.merge(at, delta);
    e.sees.forEach((seen, n) => {
      if (seen) replicas[n] = mvMap.merge(replicas[n] as mvMap.MvMap<Json>, delta);
    });
  }
  return deltas;
}

const fold = (states: readonly mvMap.MvMap<Json>[]): mvMap.MvMap<Json> =>
  states.reduce((acc, s) => mvMap.merge(acc, s), mvMap.create<Json>());
const same = (a: mvMap.MvMap<Json>, b: mvMap.MvMap<Json>): void => expect(mvMap.encode(a)).toEqual(mvMap.encode(b));

describe('mv-map', () => {
  it('merge is commutative, associative and idempotent', () => {
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 20 }), fc.nat(), fc.nat(), (edits, i, j) => {
        const deltas = simulate(edits);
        if (deltas.length === 0) return;
        const x = fold(deltas.slice(0, (i % deltas.length) + 1));
        const y = fold(deltas.slice(j % deltas.length));
        const z = deltas[(i + j) % deltas.length] as mvMap.MvMap<Json>;
        same(mvMap.merge(x, y), mvMap.merge(y, x));
        same(mvMap.merge(mvMap.merge(x, y), z), mvMap.merge(x, mvMap.merge(y, z)));
        same(mvMap.merge(x, x), x);
      }),
      fcParams(200),
    );
  });

  it('replicas receiving the same deltas in any order, with duplicates, converge', () => {
    fc.assert(
      fc.property(
        fc.array(edit, { maxLength: 20 }).chain((edits) => {
          const n = simulate(edits).length;
          return fc.tuple(
            fc.constant(edits),
            fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
            fc.array(fc.nat(n)),
          );
        }),
        ([edits, order, extra]) => {
          const deltas = simulate(edits);
          const inOrder = fold(deltas);
          const shuffled = fold([...order, ...extra.filter((k) => k < deltas.length)].map((k) => deltas[k] as mvMap.MvMap<Json>));
          same(shuffled, inOrder);
          expect(mvMap.value(shuffled)).toEqual(mvMap.value(inOrder));
        },
      ),
      fcParams(200),
    );
  });

  it('keeps concurrent writes of a field as its conflict, and one write that saw them resolves it', () => {
    const clockA = createHlc({ nodeId: 'a', now: () => 1 });
    const clockB = createHlc({ nodeId: 'b', now: () => 1 });
    const empty = mvMap.create<Json>();
    const fromA = mvMap.merge(mvMap.set(empty, 'name', 'Ann', clockA.tick()), mvMap.set(empty, 'city', 'Oslo', clockA.tick()));
    const fromB = mvMap.set(empty, 'name', 'Annie', clockB.tick());
    const both = mvMap.merge(fromA, fromB);
    expect(Object.keys(mvMap.conflicts(both))).toEqual(['name']);
    expect(mvMap.conflicts(both)['name']?.map((s) => s.value)).toEqual(['Ann', 'Annie']);
    const resolved = mvMap.merge(both, mvMap.set(both, 'name', 'Ann S', clockA.tick()));
    expect(mvMap.conflicts(resolved)).toEqual({});
    expect(mvMap.value(resolved)).toEqual({ name: 'Ann S', city: 'Oslo' });
    const removed = mvMap.merge(resolved, mvMap.remove(resolved, 'city', clockB.tick()));
    expect(mvMap.value(removed)).toEqual({ name: 'Ann S' });
    same(mvMap.decode(JSON.parse(JSON.stringify(mvMap.encode(removed)))), removed);
  });

  it('decode refuses malformed input naming the field, without prototype pollution', () => {
    expect(() => mvMap.decode({ type: 'mv-map', v: 1, fields: [] })).toThrow(expect.objectContaining({ code: 'E_CRDT_INVALID' }));
    expect(() => mvMap.decode({ type: 'mv-map', v: 1, fields: { name: { type: 'mv-register', v: 1, seen: [], siblings: 3 } } })).toThrow(
      /fields\.name/,
    );
    const hostile = JSON.parse(
      '{"type":"mv-map","v":1,"fields":{"__proto__":{"type":"mv-register","v":1,"seen":[],"siblings":[]}}}',
    ) as unknown;
    const decoded = mvMap.decode(hostile);
    expect(({} as Record<string, unknown>)['siblings']).toBeUndefined();
    expect(Object.getPrototypeOf(mvMap.value(decoded))).toBeNull();
  });
});
