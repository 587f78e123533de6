import fc from 'fast-check';
import { lwwMap, orSet, stableStamp, type Hlc, type Json, type Stamp } from '../../../lib/crdt/index.js';
import { fcParams } from '../../support/fc.js';
import { KEYS, fakeClocks } from './replicas.js';

// Tombstone compaction: after every replica has seen a delete and compacted it away, replaying any
// message sent before the delete (an outbox retry, a duplicated packet) must not bring it back.
const RUNS = 500;

const scenario = fc.record({
  writes: fc.array(fc.record({ replica: fc.nat(2), key: fc.nat(KEYS.length - 1), value: fc.integer() }), { minLength: 1, maxLength: 12 }),
  deletes: fc.array(fc.record({ replica: fc.nat(2), key: fc.nat(KEYS.length - 1) }), { minLength: 1, maxLength: 5 }),
  replayOrder: fc.array(fc.nat(), { maxLength: 30 }),
});

function syncAll<S>(states: S[], clocks: Hlc[], merge: (a: S, b: S) => S, newest: (s: S) => Stamp | undefined): void {
  const all = states.reduce(merge);
  for (let i = 0; i < states.length; i++) {
    states[i] = merge(states[i] as S, all);
    const stamp = newest(all);
    if (stamp !== undefined) (clocks[i] as Hlc).receive(stamp);
  }
}
const sortedView = (m: lwwMap.LwwMap<Json>): string =>
  JSON.stringify(Object.entries(lwwMap.value(m)).sort((x, y) => (x[0] < y[0] ? -1 : 1)));
const newestOf = (seen: ReadonlyMap<string, Stamp>): Stamp | undefined => [...seen.values()].sort().pop();

it('LwwMap: stale messages replayed after compaction never resurrect a deleted field', () => {
  fc.assert(
    fc.property(scenario, ({ writes, deletes, replayOrder }) => {
      const { clocks, move } = fakeClocks(3);
      const maps = [lwwMap.create<Json>(), lwwMap.create<Json>(), lwwMap.create<Json>()];
      const oldMessages: unknown[] = [];
      for (const w of writes) {
        move(w.replica, 3);
        maps[w.replica] = lwwMap.set(
          maps[w.replica] as lwwMap.LwwMap<Json>,
          KEYS[w.key] as string,
          w.value,
          (clocks[w.replica] as Hlc).tick(),
        );
        oldMessages.push(JSON.parse(JSON.stringify(lwwMap.encode(maps[w.replica] as lwwMap.LwwMap<Json>))));
      }
      syncAll(maps, clocks, lwwMap.merge, (m) => newestOf(m.seen));
      for (const d of deletes)
        maps[d.replica] = lwwMap.remove(maps[d.replica] as lwwMap.LwwMap<Json>, KEYS[d.key] as string, (clocks[d.replica] as Hlc).tick());
      syncAll(maps, clocks, lwwMap.merge, (m) => newestOf(m.seen));
      const truth = sortedView(maps[0] as lwwMap.LwwMap<Json>);
      const stable = stableStamp(clocks.map((c) => c.peek() as Stamp)) as Stamp;
      for (let i = 0; i < 3; i++) maps[i] = lwwMap.compact(maps[i] as lwwMap.LwwMap<Json>, stable);
      // Compaction really dropped every tombstone…
      for (const m of maps) for (const entry of m.entries.values()) expect(entry.deleted).toBe(false);
      // …and no replay order of old messages brings a deleted field back.
      for (const pick of replayOrder) {
        const target = pick % 3;
        const message = lwwMap.decode(oldMessages[pick % oldMessages.length]);
        maps[target] = lwwMap.merge(maps[target] as lwwMap.LwwMap<Json>, message);
        expect(sortedView(maps[target] as lwwMap.LwwMap<Json>)).toBe(truth);
      }
    }),
    fcParams(RUNS),
  );
});

it('OrSet: stale adds replayed after compaction never bring back a removed element', () => {
  fc.assert(
    fc.property(scenario, ({ writes, deletes, replayOrder }) => {
      const { clocks, move } = fakeClocks(3);
      const sets = [orSet.create(), orSet.create(), orSet.create()];
      const oldMessages: unknown[] = [];
      for (const w of writes) {
        move(w.replica, 3);
        sets[w.replica] = orSet.add(sets[w.replica] as orSet.OrSet, KEYS[w.key] as string, (clocks[w.replica] as Hlc).tick());
        oldMessages.push(JSON.parse(JSON.stringify(orSet.encode(sets[w.replica] as orSet.OrSet))));
      }
      syncAll(sets, clocks, orSet.merge, (s) => newestOf(s.seen));
      for (const d of deletes)
        sets[d.replica] = orSet.remove(sets[d.replica] as orSet.OrSet, KEYS[d.key] as string, (clocks[d.replica] as Hlc).tick());
      syncAll(sets, clocks, orSet.merge, (s) => newestOf(s.seen));
      const truth = JSON.stringify(orSet.values(sets[0] as orSet.OrSet));
      const stable = stableStamp(clocks.map((c) => c.peek() as Stamp)) as Stamp;
      for (let i = 0; i < 3; i++) sets[i] = orSet.compact(sets[i] as orSet.OrSet, stable);
      for (const s of sets) for (const dots of s.elements.values()) for (const removed of dots.values()) expect(removed).toBeNull();
      for (const pick of replayOrder) {
        const target = pick % 3;
        sets[target] = orSet.merge(sets[target] as orSet.OrSet, orSet.decode(oldMessages[pick % oldMessages.length]));
        expect(JSON.stringify(orSet.values(sets[target] as orSet.OrSet))).toBe(truth);
      }
    }),
    fcParams(RUNS),
  );
});

it('compact is a no-op at or below the current floor, and decode refuses tombstones below the floor', () => {
  const { clocks } = fakeClocks(1);
  const clock = clocks[0] as Hlc;
  let map = lwwMap.remove(lwwMap.set(lwwMap.create<number>(), 'x', 1, clock.tick()), 'x', clock.tick());
  const stable = clock.tick();
  map = lwwMap.compact(map, stable);
  expect(map.entries.size).toBe(0);
  expect(lwwMap.compact(map, stable)).toBe(map);
  const encoded = lwwMap.encode(lwwMap.remove(lwwMap.create<number>(), 'y', clock.tick()));
  expect(() => lwwMap.decode({ ...encoded, floor: clock.tick() })).toThrow(/keys\[0\] is a tombstone at or before floor/);
});
