// Test support: every CRDT behind one interface, driven by generated operations on replicas with
// fake clocks, so property tests only ever see states that real replicas can reach.
import fc from 'fast-check';
import {
  createHlc,
  lwwMap,
  lwwRegister,
  mvMap,
  mvRegister,
  orSet,
  pnCounter,
  type Hlc,
  type Json,
  type Stamp,
  type VersionVector,
} from '../../../lib/crdt/index.js';

/** One generated operation: which replica acts, what it does, and on which key. */
export interface Op {
  readonly replica: number;
  readonly kind: number;
  readonly key: number;
  readonly value: number;
  /** Wall-clock move before the op, in ms (negative: the clock jumps back). */
  readonly clockMove: number;
}

/** Keys include the ones that would pollute a prototype if ever assigned onto `{}`. */
export const KEYS = ['a', 'b', '__proto__', 'constructor', 'prototype'] as const;

/** The uniform face of a CRDT module, for tests that treat every type the same. */
export interface CrdtSpec<S, Version> {
  readonly name: string;
  create(): S;
  /** Applies generated op `op` at replica `node` with a fresh stamp from `clock`. */
  apply(state: S, op: Op, clock: Hlc): S;
  merge(a: S, b: S): S;
  delta(state: S, since: Version): S;
  version(state: S): Version;
  encode(state: S): unknown;
  decode(input: unknown): S;
  /** A canonical string: equal states give equal strings. */
  canon(state: S): string;
  /** The user-visible value, as a canonical string (what must converge even after compaction). */
  view(state: S): string;
  /** The newest stamp a payload carries, for `clock.receive` (counters carry none). */
  newest(state: S): Stamp | undefined;
}

const canonVersion = (v: VersionVector): [string, Stamp][] => [...v].sort((x, y) => (x[0] < y[0] ? -1 : 1));
const newestOf = (v: VersionVector): Stamp | undefined => [...v.values()].sort().pop();
const valueOf = (op: Op): Json => (op.value % 7 === 0 ? { nested: { ['__proto__']: op.value, list: [op.value] } } : op.value);
const keyOf = (op: Op): string => KEYS[op.key % KEYS.length] as string;

export const lwwRegisterSpec: CrdtSpec<lwwRegister.LwwRegister<Json>, Stamp | null> = {
  name: 'LwwRegister',
  create: () => lwwRegister.create(),
  apply: (s, op, clock) => lwwRegister.set(s, valueOf(op), clock.tick()),
  merge: lwwRegister.merge,
  delta: lwwRegister.delta,
  version: lwwRegister.version,
  encode: (s) => lwwRegister.encode(s),
  decode: lwwRegister.decode,
  canon: (s) => JSON.stringify(lwwRegister.encode(s)),
  view: (s) => JSON.stringify(s.value ?? null),
  newest: (s) => s.stamp ?? undefined,
};

export const mvRegisterSpec: CrdtSpec<mvRegister.MvRegister<Json>, VersionVector> = {
  name: 'MvRegister',
  create: () => mvRegister.create(),
  apply: (s, op, clock) => mvRegister.set(s, valueOf(op), clock.tick()),
  merge: mvRegister.merge,
  delta: mvRegister.delta,
  version: mvRegister.version,
  encode: (s) => mvRegister.encode(s),
  decode: mvRegister.decode,
  canon: (s) => JSON.stringify(mvRegister.encode(s)),
  view: (s) => JSON.stringify(mvRegister.encode(s).siblings),
  newest: (s) => newestOf(s.seen),
};

export const lwwMapSpec: CrdtSpec<lwwMap.LwwMap<Json>, VersionVector> = {
  name: 'LwwMap',
  create: () => lwwMap.create(),
  apply: (s, op, clock) =>
    op.kind % 4 === 0
      ? lwwMap.remove(s, keyOf(op), clock.tick())
      : op.kind % 4 === 1
        ? lwwMap.setMany(
            s,
            [
              [keyOf(op), valueOf(op)],
              [KEYS[(op.key + 1) % KEYS.length] as string, op.value],
            ],
            () => clock.tick(),
          )
        : lwwMap.set(s, keyOf(op), valueOf(op), clock.tick()),
  merge: lwwMap.merge,
  delta: lwwMap.delta,
  version: lwwMap.version,
  encode: (s) => lwwMap.encode(s),
  decode: lwwMap.decode,
  canon: (s) =>
    JSON.stringify([
      [...s.entries].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([k, e]) => [k, e.stamp, e.deleted, e.value ?? null]),
      canonVersion(s.seen),
      s.floor,
    ]),
  view: (s) => JSON.stringify(Object.entries(lwwMap.value(s)).sort((x, y) => (x[0] < y[0] ? -1 : 1))),
  newest: (s) => newestOf(s.seen),
};

export const pnCounterSpec: CrdtSpec<pnCounter.PnCounter, pnCounter.PnCounter> = {
  name: 'PnCounter',
  create: () => pnCounter.create(),
  apply: (s, op, clock) => pnCounter.add(s, clock.nodeId, (op.value % 11) - 5),
  merge: pnCounter.merge,
  delta: pnCounter.delta,
  version: pnCounter.version,
  encode: (s) => pnCounter.encode(s),
  decode: pnCounter.decode,
  canon: (s) => JSON.stringify(pnCounter.encode(s)),
  view: (s) => String(pnCounter.value(s)),
  newest: () => undefined,
};

export const orSetSpec: CrdtSpec<orSet.OrSet, VersionVector> = {
  name: 'OrSet',
  create: () => orSet.create(),
  apply: (s, op, clock) => (op.kind % 3 === 0 ? orSet.remove(s, keyOf(op), clock.tick()) : orSet.add(s, keyOf(op), clock.tick())),
  merge: orSet.merge,
  delta: orSet.delta,
  version: orSet.version,
  encode: (s) => orSet.encode(s),
  decode: orSet.decode,
  canon: (s) => JSON.stringify(orSet.encode(s)),
  view: (s) => JSON.stringify(orSet.values(s)),
  newest: (s) => newestOf(s.seen),
};

export const mvMapSpec: CrdtSpec<mvMap.MvMap<Json>, VersionVector> = {
  name: 'MvMap',
  create: () => mvMap.create(),
  // Writes return one-field deltas: the replica merges its own, as a live document does.
  apply: (s, op, clock) =>
    mvMap.merge(
      s,
      op.kind % 4 === 0
        ? mvMap.remove(s, keyOf(op), clock.tick())
        : op.kind % 4 === 1
          ? mvMap.setMany(
              s,
              [
                [keyOf(op), valueOf(op)],
                [KEYS[(op.key + 1) % KEYS.length] as string, op.value],
              ],
              () => clock.tick(),
            )
          : mvMap.set(s, keyOf(op), valueOf(op), clock.tick()),
    ),
  merge: mvMap.merge,
  delta: mvMap.delta,
  version: mvMap.version,
  encode: (s) => mvMap.encode(s),
  decode: mvMap.decode,
  canon: (s) => JSON.stringify(mvMap.encode(s)),
  view: (s) =>
    JSON.stringify(
      [...s.fields].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([name, f]) => [name, f.siblings.map((x) => [x.stamp, x.value])]),
    ),
  newest: (s) => newestOf(mvMap.version(s)),
};

/** Every CRDT, for `describe.each`. */
export const SPECS = [lwwRegisterSpec, mvRegisterSpec, lwwMapSpec, pnCounterSpec, orSetSpec, mvMapSpec] as const;

/** The same list, typed loosely for code that handles every type through one variable. */
export const ANY_SPECS = SPECS as unknown as readonly CrdtSpec<unknown, unknown>[];

export const NODE_IDS = ['n0', '__proto__', 'constructor', 'n3', 'prototype'] as const;

/** A fake wall clock per replica, started near a real date with a per-replica skew. */
export function fakeClocks(
  count: number,
  start = 1_700_000_000_000,
): { clocks: Hlc[]; move(replica: number, ms: number): void; wall(replica: number): number } {
  const times = Array.from({ length: count }, (_, i) => start + i * 17);
  const clocks = times.map((_, i) => createHlc({ nodeId: NODE_IDS[i % NODE_IDS.length] as string, now: () => times[i] as number }));
  return {
    clocks,
    move(replica, ms) {
      times[replica] = Math.max(0, (times[replica] as number) + ms);
    },
    wall: (replica) => times[replica] as number,
  };
}

/** Generated operations; each may also merge the acting replica with another (when kind is high). */
export const opArb: fc.Arbitrary<Op> = fc.record({
  replica: fc.nat(2),
  kind: fc.nat(11),
  key: fc.nat(KEYS.length - 1),
  value: fc.integer({ min: -1000, max: 1000 }),
  clockMove: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: -600_000, max: 600_000 })),
});

/**
 * Runs ops on three replicas (kinds 9–11 merge a full state from the next replica instead of
 * writing) and returns their states: related, concurrent, reachable states to test merge laws on.
 */
export function threeStates<S, V>(spec: CrdtSpec<S, V>, ops: readonly Op[]): [S, S, S] {
  const { clocks, move } = fakeClocks(3);
  const states: S[] = [spec.create(), spec.create(), spec.create()];
  for (const op of ops) {
    const r = op.replica;
    move(r, op.clockMove);
    if (op.kind >= 9) {
      const from = (r + 1 + (op.kind % 2)) % 3;
      states[r] = spec.merge(states[r] as S, states[from] as S);
      const newest = spec.newest(states[from] as S);
      // Large generated clock jumps can put a peer beyond drift; the merge still happened.
      if (newest !== undefined) tryReceive(clocks[r] as Hlc, newest);
    } else {
      states[r] = spec.apply(states[r] as S, op, clocks[r] as Hlc);
    }
  }
  return states as [S, S, S];
}

function tryReceive(clock: Hlc, stamp: Stamp): void {
  try {
    clock.receive(stamp);
  } catch {
    // refused as far-future: the clock keeps its own time, which is all this helper needs
  }
}
