// Test support for the convergence property: five replicas, each holding one of every CRDT, and an
// adversarial network that reorders, duplicates, drops, replays and partitions their messages.
import fc from 'fast-check';
import { isRxSyncError } from '../../../lib/errors.js';
import {
  decodeVersion,
  encodeVersion,
  hasSeen,
  lwwMap,
  orSet,
  stableStamp,
  type Hlc,
  type Stamp,
  type VersionVector,
} from '../../../lib/crdt/index.js';
import { ANY_SPECS as SPECS, fakeClocks, type CrdtSpec, type Op } from './replicas.js';

export const REPLICAS = 5;
const MAX_SKEW = 120_000;

type Bundle = unknown[]; // one state per entry of SPECS
/** Counts across all runs, to check the generator reaches the interesting cases at all. */
export const stats = {
  compactedMap: 0,
  staleLive: 0,
  compactedSet: 0,
  staleIgnored: 0,
  driftRejected: 0,
  delivered: 0,
};
interface Message {
  readonly from: number;
  readonly to: number;
  /** JSON text: either a version announcement or a delta bundle. */
  readonly text: string;
}

export const stepArb = fc.record({
  act: fc.nat(99),
  from: fc.nat(REPLICAS - 1),
  to: fc.nat(REPLICAS - 1),
  kind: fc.nat(SPECS.length - 1),
  variant: fc.nat(11),
  key: fc.nat(4),
  value: fc.integer({ min: -50, max: 50 }),
  pick: fc.nat(1_000),
  clockMove: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: -60_000, max: 60_000 })),
});
type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

export class Simulation {
  readonly bundles: Bundle[] = Array.from({ length: REPLICAS }, () => SPECS.map((spec) => spec.create()));
  /** What each replica last heard about each peer's versions (a lower bound of the truth). */
  readonly beliefs: unknown[][][] = Array.from({ length: REPLICAS }, () =>
    Array.from({ length: REPLICAS }, () => SPECS.map((spec) => spec.version(spec.create()))),
  );
  readonly inFlight: Message[] = [];
  readonly isolated = new Set<number>();
  /** Merges every state any replica ever had, never compacts: the value everyone must reach. */
  readonly oracle: Bundle = SPECS.map((spec) => spec.create());
  readonly issued: Stamp[][] = SPECS.map(() => []);
  readonly sentLog: Message[] = [];
  readonly time;
  private trueTime = 1_700_000_000_000;
  readonly clocks: Hlc[];

  constructor() {
    this.time = fakeClocks(REPLICAS);
    this.clocks = this.time.clocks;
  }

  step(s: Step): void {
    if (s.act < 40) this.localOp(s);
    else if (s.act < 50) this.sendDelta(s.from, s.to);
    else if (s.act < 55) this.announce(s.from, s.to);
    else if (s.act < 68) this.deliver(s.pick);
    else if (s.act < 72) this.duplicate(s.pick);
    else if (s.act < 76) this.drop(s.pick);
    else if (s.act < 81) this.resendOld(s.pick);
    else if (s.act < 85) this.togglePartition(s.from);
    else if (s.act < 92) this.syncWithAll(s.from);
    else this.compact(s.from);
  }

  localOp(s: Step): void {
    // Wall clocks wander (and jump back) but stay within ±2 minutes of true time, inside the
    // 5-minute drift limit, so no replica refuses another for good.
    this.trueTime += 10;
    const target = this.time.wall(s.from) + s.clockMove;
    const clamped = Math.min(this.trueTime + MAX_SKEW, Math.max(this.trueTime - MAX_SKEW, target));
    this.time.move(s.from, clamped - this.time.wall(s.from));
    const index = s.kind;
    const spec = SPECS[index] as CrdtSpec<unknown, unknown>;
    const op: Op = {
      replica: s.from,
      kind: s.variant,
      key: s.key,
      value: s.value,
      clockMove: 0,
    };
    const bundle = this.bundles[s.from] as Bundle;
    const clock = this.clocks[s.from] as Hlc;
    const issued = this.issued[index] as Stamp[];
    // Record every stamp the op issues, for the compaction oracle.
    const recording: Hlc = {
      nodeId: clock.nodeId,
      tick: () => {
        const stamp = clock.tick();
        issued.push(stamp);
        return stamp;
      },
      receive: (r) => clock.receive(r),
      peek: () => clock.peek(),
    };
    bundle[index] = spec.apply(bundle[index], op, recording);
    this.oracle[index] = spec.merge(this.oracle[index], bundle[index]);
  }

  private post(from: number, to: number, payload: unknown): void {
    const message = { from, to, text: JSON.stringify(payload) };
    this.sentLog.push(message);
    // A partitioned replica's messages are lost, like a dropped connection.
    if (!this.isolated.has(from) && !this.isolated.has(to)) this.inFlight.push(message);
  }

  sendDelta(from: number, to: number): void {
    if (from === to) return;
    const bundle = this.bundles[from] as Bundle;
    const belief = (this.beliefs[from] as unknown[][])[to] as unknown[];
    this.post(from, to, {
      delta: SPECS.map((spec, i) => spec.encode(spec.delta(bundle[i], belief[i]))),
    });
  }

  announce(from: number, to: number): void {
    if (from === to) return;
    const bundle = this.bundles[from] as Bundle;
    this.post(from, to, {
      seen: SPECS.map((spec, i) => encodeVersionOf(spec, bundle[i])),
    });
  }

  receive(message: Message): void {
    const payload = JSON.parse(message.text) as {
      delta?: unknown[];
      seen?: unknown[];
    };
    if (payload.seen !== undefined) {
      // A version announcement: remember it (versions only grow, so keep the merge of old and new).
      const belief = (this.beliefs[message.to] as unknown[][])[message.from] as unknown[];
      SPECS.forEach((spec, i) => {
        belief[i] = mergeVersionOf(
          spec as CrdtSpec<unknown, unknown>,
          belief[i],
          decodeVersionOf(spec as CrdtSpec<unknown, unknown>, payload.seen?.[i]),
        );
      });
      return;
    }
    const bundle = this.bundles[message.to] as Bundle;
    const clock = this.clocks[message.to] as Hlc;
    // Validate every part before applying any: all or nothing.
    const decoded = SPECS.map((spec, i) => spec.decode(payload.delta?.[i]));
    try {
      for (const [i, spec] of SPECS.entries()) {
        const newest = spec.newest(decoded[i]);
        if (newest !== undefined) clock.receive(newest);
      }
    } catch (error) {
      if (!isRxSyncError(error, 'E_HLC_DRIFT')) throw error;
      stats.driftRejected++;
      return;
    }
    stats.delivered++;
    SPECS.forEach((spec, i) => {
      const merged = spec.merge(bundle[i], decoded[i]);
      if (spec.name === 'LwwMap') {
        // A field that came in but was not kept although it would have won: the compaction floor at work.
        const local = bundle[i] as lwwMap.LwwMap<unknown>;
        for (const [key, entry] of (decoded[i] as lwwMap.LwwMap<unknown>).entries) {
          if (
            !local.entries.has(key) &&
            !(merged as lwwMap.LwwMap<unknown>).entries.has(key) &&
            local.floor !== null &&
            entry.stamp <= local.floor
          ) {
            stats.staleIgnored++;
            if (!entry.deleted) stats.staleLive++;
          }
        }
      }
      bundle[i] = merged;
    });
  }

  private take(pick: number): Message | undefined {
    if (this.inFlight.length === 0) return undefined;
    return this.inFlight.splice(pick % this.inFlight.length, 1)[0];
  }

  deliver(pick: number): void {
    const message = this.take(pick);
    if (message !== undefined && !this.isolated.has(message.to)) this.receive(message);
  }

  duplicate(pick: number): void {
    const message = this.inFlight[pick % Math.max(1, this.inFlight.length)];
    if (message !== undefined) this.inFlight.push(message);
  }

  drop(pick: number): void {
    this.take(pick);
  }

  /** A dropped or long-delivered message comes back (a retry from an outbox), stale by now. */
  resendOld(pick: number): void {
    // Favour the oldest messages: they are the ones that can carry fields deleted since.
    const message =
      this.sentLog[pick % 2 === 0 ? (pick >> 1) % Math.min(6, Math.max(1, this.sentLog.length)) : pick % Math.max(1, this.sentLog.length)];
    if (message !== undefined && !this.isolated.has(message.from) && !this.isolated.has(message.to)) this.inFlight.push(message);
  }

  togglePartition(replica: number): void {
    if (this.isolated.has(replica)) this.isolated.delete(replica);
    else this.isolated.add(replica);
  }

  /** Like a hub: a quick two-way sync with every other replica, delivered at once (if connected). */
  syncWithAll(a: number): void {
    for (let b = 0; b < REPLICAS; b++) if (b !== a) this.gossip(a, b);
  }

  /** A quick two-way sync between two replicas, delivered at once (if connected). */
  gossip(a: number, b: number): void {
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      this.announce(y, x);
      if (this.inFlight.length > 0) this.deliver(this.inFlight.length - 1);
      this.sendDelta(x, y);
      if (this.inFlight.length > 0) this.deliver(this.inFlight.length - 1);
    }
  }

  /** Compacts one replica's map and set up to what the oracle knows every replica has seen. */
  compact(replica: number): void {
    const bundle = this.bundles[replica] as Bundle;
    const mapIndex = SPECS.findIndex((s) => s.name === 'LwwMap');
    const setIndex = SPECS.findIndex((s) => s.name === 'OrSet');
    const stable = this.stable(mapIndex, (b) => (b[mapIndex] as lwwMap.LwwMap<unknown>).seen);
    if (stable !== undefined) {
      const before = bundle[mapIndex] as lwwMap.LwwMap<unknown>;
      bundle[mapIndex] = lwwMap.compact(before, stable);
      if ((bundle[mapIndex] as lwwMap.LwwMap<unknown>).entries.size < before.entries.size) stats.compactedMap++;
    }
    const stableSet = this.stable(setIndex, (b) => (b[setIndex] as orSet.OrSet).seen);
    if (stableSet !== undefined) {
      const before = bundle[setIndex] as orSet.OrSet;
      bundle[setIndex] = orSet.compact(before, stableSet);
      if (JSON.stringify(orSet.encode(before).elements) !== JSON.stringify(orSet.encode(bundle[setIndex] as orSet.OrSet).elements))
        stats.compactedSet++;
    }
  }

  /**
   * The oracle's stable stamp for one CRDT: the newest stamp issued for it such that every replica
   * has seen every write up to it, and every replica's clock has passed it.
   */
  private stable(index: number, seenOf: (b: Bundle) => VersionVector): Stamp | undefined {
    const issued = this.issued[index] as Stamp[];
    let firstUnseen: Stamp | undefined;
    for (const stamp of issued) {
      const seenByAll = this.bundles.every((b) => hasSeen(seenOf(b), stamp));
      if (!seenByAll && (firstUnseen === undefined || stamp < firstUnseen)) firstUnseen = stamp;
    }
    const clocks = this.clocks.map((c) => c.peek());
    if (clocks.some((c) => c === undefined)) return undefined;
    const minClock = stableStamp(clocks as Stamp[]) as Stamp;
    const candidates = issued.filter((stamp) => (firstUnseen === undefined || stamp < firstUnseen) && stamp <= minClock);
    return candidates.length === 0 ? undefined : candidates.reduce((x, y) => (x > y ? x : y));
  }

  /**
   * Whatever the oracle shows settled at or before a replica's floor, that replica has seen (it
   * compacted only what was stable), so it must agree: no deleted field or removed element is back.
   */
  checkNothingResurrected(): void {
    const mapIndex = SPECS.findIndex((s) => s.name === 'LwwMap');
    const setIndex = SPECS.findIndex((s) => s.name === 'OrSet');
    const truthMap = this.oracle[mapIndex] as lwwMap.LwwMap<unknown>;
    const truthSet = this.oracle[setIndex] as orSet.OrSet;
    for (const bundle of this.bundles) {
      const map = bundle[mapIndex] as lwwMap.LwwMap<unknown>;
      if (map.floor !== null) {
        for (const [key, winner] of truthMap.entries) {
          if (winner.stamp <= map.floor) expect([key, lwwMap.has(map, key)]).toEqual([key, !winner.deleted]);
        }
      }
      const set = bundle[setIndex] as orSet.OrSet;
      if (set.floor !== null) {
        for (const [element, dots] of truthSet.elements) {
          for (const [dot, removed] of dots) {
            if (removed !== null && removed <= set.floor)
              expect([element, dot, set.elements.get(element)?.get(dot)]).not.toEqual([element, dot, null]);
          }
        }
      }
    }
  }

  /** Heal everything, deliver what is left, then run anti-entropy rounds until quiet. */
  settle(): void {
    this.isolated.clear();
    while (this.inFlight.length > 0) this.deliver(0);
    for (let round = 0; round < 2; round++) {
      for (let a = 0; a < REPLICAS; a++) {
        for (let b = 0; b < REPLICAS; b++) {
          if (a === b) continue;
          this.announce(b, a);
          this.deliver(this.inFlight.length - 1);
          this.sendDelta(a, b);
          this.deliver(this.inFlight.length - 1);
        }
      }
    }
  }
}

export function encodeVersionOf(spec: CrdtSpec<unknown, unknown>, state: unknown): unknown {
  // An MvMap keeps a version vector per field, none for the whole map: send its version as such.
  if (spec.name === 'MvMap') return encodeVersion(spec.version(state) as VersionVector);
  // Versions travel as the encoded empty-delta of the state: its `seen` (or a counter's tallies).
  return spec.encode(spec.delta(state, spec.version(state)));
}
function decodeVersionOf(spec: CrdtSpec<unknown, unknown>, encoded: unknown): unknown {
  if (spec.name === 'MvMap') return decodeVersion('mv-map', 'seen', encoded);
  return spec.version(spec.decode(encoded));
}
function mergeVersionOf(spec: CrdtSpec<unknown, unknown>, a: unknown, b: unknown): unknown {
  if (spec.name === 'LwwRegister') return a === null ? b : b === null ? a : (a as string) > (b as string) ? a : b;
  if (spec.name === 'PnCounter') return spec.merge(a, b);
  const out = new Map(a as VersionVector);
  for (const [node, stamp] of b as VersionVector) if ((out.get(node) ?? '') < stamp) out.set(node, stamp);
  return out;
}
