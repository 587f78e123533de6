import fc from 'fast-check';
import { lwwMap, stableStamp, type Hlc, type Stamp } from '../../../lib/crdt/index.js';
import { fcParams } from '../../support/fc.js';
import { ANY_SPECS as SPECS, fakeClocks } from './replicas.js';
import { Simulation, encodeVersionOf, stats, stepArb } from './simulation.js';

// Five replicas, each holding one of every CRDT, perform random operations while a random network
// reorders, duplicates, drops (later resending) and partitions messages; replicas also compact
// tombstones when an oracle says it is safe. After healing and anti-entropy, all must be equal.
const RUNS = 1000;

describe('convergence of 5 replicas under an adversarial network', () => {
  it('ends with every replica equal, whatever the schedule', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 20, maxLength: 80, size: 'max' }), (steps) => {
        const sim = new Simulation();
        for (const step of steps) {
          sim.step(step);
          sim.checkNothingResurrected();
        }
        sim.settle();
        const views = sim.bundles.map((b) => SPECS.map((spec, i) => spec.view(b[i])).join('|'));
        for (const view of views) expect(view).toBe(views[0]);
        // Equal is not enough (all could have resurrected a deleted field): equal to the truth.
        expect(views[0]).toBe(SPECS.map((spec, i) => spec.view(sim.oracle[i])).join('|'));
        const versions = sim.bundles.map((b) => SPECS.map((spec, i) => JSON.stringify(encodeVersionOf(spec, b[i]))).join('|'));
        for (const v of versions) expect(v).toBe(versions[0]);
      }),
      fcParams(RUNS),
    );
    console.log(`convergence schedule coverage: ${JSON.stringify(stats)}`);
    // The schedule generator must reach the hard cases, or the property above proves little.
    expect(stats.driftRejected).toBe(0);
    expect(stats.delivered).toBeGreaterThan(RUNS);
    expect(stats.compactedMap).toBeGreaterThan(0);
    expect(stats.compactedSet).toBeGreaterThan(0);
    expect(stats.staleIgnored).toBeGreaterThan(0);
  });

  it('a replica that compacted ignores a stale resend of a deleted field', () => {
    const { clocks } = fakeClocks(2);
    const [ca, cb] = clocks as [Hlc, Hlc];
    let a = lwwMap.set(lwwMap.create<number>(), 'x', 1, ca.tick());
    const staleCopy = lwwMap.encode(a);
    a = lwwMap.remove(a, 'x', ca.tick());
    let b = lwwMap.merge(lwwMap.create<number>(), a);
    cb.receive(ca.peek() as Stamp);
    const stable = stableStamp([ca.peek() as Stamp, cb.peek() as Stamp, cb.tick()]) as Stamp;
    a = lwwMap.compact(a, stable);
    b = lwwMap.compact(b, stable);
    expect(a.entries.has('x')).toBe(false);
    const replayed = lwwMap.merge(b, lwwMap.decode(JSON.parse(JSON.stringify(staleCopy))));
    expect(lwwMap.has(replayed, 'x')).toBe(false);
    expect(replayed).toBe(b);
  });
});
