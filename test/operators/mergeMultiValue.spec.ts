import { TestScheduler } from 'rxjs/testing';
import { map } from 'rxjs';
import { createHlc, mvRegister, type Json } from '../../lib/crdt/index.js';
import { mergeMultiValue } from '../../operators/mergeMultiValue.js';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

const NOW = 1_700_000_000_000;
const wire = (r: mvRegister.MvRegister<Json>): unknown => JSON.parse(JSON.stringify(mvRegister.encode(r)));
const alice = createHlc({ nodeId: 'alice', now: () => NOW });
const bob = createHlc({ nodeId: 'bob', now: () => NOW });

// Both start from the same title, then edit it concurrently (neither has seen the other's edit).
const base = mvRegister.set(mvRegister.create<Json>(), 'Plan', alice.tick());
const byAlice = mvRegister.set(base, 'Q3 plan', alice.tick());
const byBob = mvRegister.set(mvRegister.merge(mvRegister.create<Json>(), base), 'Plan (draft)', bob.tick());
// Alice sees both and resolves with one write.
const resolved = mvRegister.set(mvRegister.merge(byAlice, byBob), 'Q3 plan (final)', alice.tick());

describe('mergeMultiValue', () => {
  it('keeps concurrent writes as conflicts until one write that saw them resolves them', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-b-a-c-r-|', { b: wire(base), a: wire(byAlice), c: wire(byBob), r: wire(resolved) });
      const result = source.pipe(
        mergeMultiValue(),
        map((view) => [view.value, view.conflicts.map((s) => s.value)]),
      );
      expectObservable(result).toBe('-w-x-y-z-|', {
        w: ['Plan', []],
        x: ['Q3 plan', []],
        y: ['Q3 plan', ['Plan (draft)', 'Q3 plan']],
        z: ['Q3 plan (final)', []],
      });
      expectSubscriptions(source.subscriptions).toBe('^--------!');
    });
  });

  it('shows resolve(siblings) while in conflict, without changing the siblings', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-c-|', { a: wire(byAlice), c: wire(byBob) });
      const longest = (siblings: readonly mvRegister.Sibling<Json>[]): Json =>
        siblings.map((s) => String(s.value)).reduce((x, y) => (y.length > x.length ? y : x));
      const result = source.pipe(
        mergeMultiValue({ resolve: longest }),
        map((view) => [view.value, view.conflicts.length, view.state.siblings.length]),
      );
      expectObservable(result).toBe('-x-y-|', { x: ['Q3 plan', 0, 1], y: ['Plan (draft)', 2, 2] });
    });
  });

  it('emits nothing for duplicates or already-seen registers, in any order', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('-r-a-c-r-b-|', { r: wire(resolved), a: wire(byAlice), c: wire(byBob), b: wire(base) });
      expectObservable(
        source.pipe(
          mergeMultiValue(),
          map((v) => v.value),
        ),
      ).toBe('-r---------|', { r: 'Q3 plan (final)' });
    });
  });

  it('rejects a bad payload whole and goes on; validate refuses unwanted values', () => {
    const rejected: string[] = [];
    const isText = (value: Json): value is string => typeof value === 'string';
    const numeric = mvRegister.set(mvRegister.create<Json>(), 42, bob.tick());
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-x-n-a-|', {
        x: { type: 'mv-register', v: 1, seen: [], siblings: [['zz', 1]] },
        n: wire(numeric),
        a: wire(byAlice),
      });
      const result = source.pipe(
        mergeMultiValue({ validate: isText, onReject: (err) => rejected.push(`${err.code} ${err.message}`) }),
        map((v) => v.value),
      );
      expectObservable(result).toBe('-----a-|', { a: 'Q3 plan' });
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
    expect(rejected).toEqual([
      'E_CRDT_INVALID mv-register: siblings[0][0] must be a stamp',
      'E_CRDT_INVALID mv-register: siblings[0][1] was refused by validate',
    ]);
  });

  it('accepts in-memory registers (local writes) fed into the same stream', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-c-|', { a: byAlice, c: byBob });
      expectObservable(
        source.pipe(
          mergeMultiValue(),
          map((v) => v.conflicts.length),
        ),
      ).toBe('-x-y-|', { x: 0, y: 2 });
    });
  });
});
