import fc from 'fast-check';
import { fcParams } from '../../support/fc.js';
import { SPECS, opArb, threeStates, type CrdtSpec } from './replicas.js';

// Merge algebra for every CRDT on states reached by generated histories (concurrent writes, clock
// jumps, partial merges). Default tier 500 runs per property; FC_RUNS=10000 is the deep tier.
const RUNS = 500;
const history = fc.array(opArb, { maxLength: 24 });

describe.each(SPECS.map((spec) => [spec.name, spec] as const))('%s merge', (_name, spec: CrdtSpec<unknown, unknown>) => {
  const canon = (s: unknown): string => spec.canon(s);

  it('is commutative', () => {
    fc.assert(
      fc.property(history, (ops) => {
        const [a, b] = threeStates(spec, ops);
        expect(canon(spec.merge(a, b))).toBe(canon(spec.merge(b, a)));
      }),
      fcParams(RUNS),
    );
  });

  it('is associative', () => {
    fc.assert(
      fc.property(history, (ops) => {
        const [a, b, c] = threeStates(spec, ops);
        expect(canon(spec.merge(spec.merge(a, b), c))).toBe(canon(spec.merge(a, spec.merge(b, c))));
      }),
      fcParams(RUNS),
    );
  });

  it('is idempotent, and merging what is already known returns the same object', () => {
    fc.assert(
      fc.property(history, (ops) => {
        const [a, b] = threeStates(spec, ops);
        expect(spec.merge(a, a)).toBe(a);
        const ab = spec.merge(a, b);
        expect(canon(spec.merge(ab, b))).toBe(canon(ab));
        expect(spec.merge(ab, a)).toBe(ab);
        expect(spec.merge(ab, b)).toBe(ab);
      }),
      fcParams(RUNS),
    );
  });

  it('applying a delta equals merging the full state', () => {
    fc.assert(
      fc.property(history, (ops) => {
        const [a, b] = threeStates(spec, ops);
        const viaDelta = spec.merge(b, spec.delta(a, spec.version(b)));
        expect(canon(viaDelta)).toBe(canon(spec.merge(b, a)));
        // A delta against oneself carries nothing that changes anything.
        expect(canon(spec.merge(a, spec.delta(a, spec.version(a))))).toBe(canon(a));
      }),
      fcParams(RUNS),
    );
  });

  it('round-trips through JSON text and the validating decoder', () => {
    fc.assert(
      fc.property(history, (ops) => {
        const [a, b] = threeStates(spec, ops);
        for (const state of [a, spec.merge(a, b), spec.delta(a, spec.version(b))]) {
          const decoded = spec.decode(JSON.parse(JSON.stringify(spec.encode(state))));
          expect(canon(decoded)).toBe(canon(state));
        }
      }),
      fcParams(RUNS),
    );
  });
});

it('histories really produce concurrent states (the properties above are not vacuous)', () => {
  const [a, b] = threeStates(SPECS[2], [
    { replica: 0, kind: 2, key: 0, value: 1, clockMove: 5 },
    { replica: 1, kind: 2, key: 0, value: 2, clockMove: 9 },
  ]);
  expect(SPECS[2].canon(a)).not.toBe(SPECS[2].canon(b));
  expect(SPECS[2].view(SPECS[2].merge(a, b))).toBe(JSON.stringify([['a', 2]]));
});
