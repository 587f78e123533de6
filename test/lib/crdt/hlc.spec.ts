import fc from 'fast-check';
import { isRxSyncError } from '../../../lib/errors.js';
import { MAX_STAMP_COUNTER, createHlc, decodeStamp, encodeStamp, type Stamp } from '../../../lib/crdt/index.js';
import { fcParams } from '../../support/fc.js';

const START = 1_700_000_000_000;
const TEN_MINUTES = 600_000;

function fakeWall(start = START): { now: () => number; set(t: number): void; add(ms: number): void } {
  let t = start;
  return { now: () => t, set: (v) => (t = v), add: (ms) => (t = Math.max(0, t + ms)) };
}

function expectCode(fn: () => unknown, code: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(isRxSyncError(caught, code)).toBe(true);
}

describe('createHlc', () => {
  it('stamps strictly increase on every replica while wall clocks jump ±10 minutes and run backwards', () => {
    const event = fc.record({
      replica: fc.nat(2),
      move: fc.integer({ min: -TEN_MINUTES, max: TEN_MINUTES }),
      receiveFrom: fc.option(fc.nat(2)),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        const walls = [fakeWall(), fakeWall(START + 5), fakeWall(START - 5)];
        const clocks = walls.map((w, i) => createHlc({ nodeId: `r${i}`, now: w.now, maxDrift: 3 * TEN_MINUTES }));
        const last: (Stamp | undefined)[] = [undefined, undefined, undefined];
        for (const e of events) {
          walls[e.replica]?.add(e.move);
          const clock = clocks[e.replica]!;
          let stamp: Stamp;
          if (e.receiveFrom !== null && last[e.receiveFrom] !== undefined) {
            const remote = last[e.receiveFrom] as Stamp;
            try {
              stamp = clock.receive(remote);
            } catch (error) {
              // Only a far-future refusal is acceptable, and it must leave the clock untouched.
              expect(isRxSyncError(error, 'E_HLC_DRIFT')).toBe(true);
              expect(clock.peek()).toBe(last[e.replica]);
              continue;
            }
            expect(stamp > remote).toBe(true);
          } else {
            stamp = clock.tick();
          }
          const previous = last[e.replica];
          if (previous !== undefined) expect(stamp > previous).toBe(true);
          // Logical time never lags the wall clock.
          expect(decodeStamp(stamp).time).toBeGreaterThanOrEqual(walls[e.replica]!.now());
          last[e.replica] = stamp;
        }
      }),
      fcParams(500),
    );
  });

  it('keeps stamps monotonic when the wall clock jumps back 10 minutes', () => {
    const wall = fakeWall();
    const clock = createHlc({ nodeId: 'a', now: wall.now });
    const before = clock.tick();
    wall.add(-TEN_MINUTES);
    const after = clock.tick();
    expect(after > before).toBe(true);
    expect(decodeStamp(after)).toEqual({ time: START, counter: 1, node: 'a' });
    wall.add(TEN_MINUTES + 1);
    expect(decodeStamp(clock.tick())).toEqual({ time: START + 1, counter: 0, node: 'a' });
  });

  it('refuses a remote stamp beyond maxDrift and leaves its state unchanged', () => {
    const wall = fakeWall();
    const clock = createHlc({ nodeId: 'a', now: wall.now });
    const before = clock.tick();
    const farFuture = encodeStamp({ time: START + 5 * 60_000 + 1, counter: 0, node: 'b' });
    expectCode(() => clock.receive(farFuture), 'E_HLC_DRIFT');
    expect(clock.peek()).toBe(before);
    expect(decodeStamp(clock.tick())).toEqual({ time: START, counter: 1, node: 'a' });
    // Exactly at the limit is accepted.
    const atLimit = encodeStamp({ time: START + 5 * 60_000, counter: 0, node: 'b' });
    expect(decodeStamp(clock.receive(atLimit))).toEqual({ time: START + 5 * 60_000, counter: 1, node: 'a' });
  });

  it('refuses malformed remote stamps with E_HLC_INVALID and leaves its state unchanged', () => {
    const clock = createHlc({ nodeId: 'a', now: () => START });
    const before = clock.tick();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.constantFrom('', '0'.repeat(12), 'zzzzzzzzzzzz', '0lp2x7qwg000bad node', '0lp2x7qwg00Ab', `0lp2x7qwg000${'x'.repeat(65)}`),
        ),
        (text) => {
          fc.pre(!/^[0-9a-z]{12}[A-Za-z0-9_.:-]{1,64}$/.test(text));
          expectCode(() => clock.receive(text), 'E_HLC_INVALID');
          expect(clock.peek()).toBe(before);
        },
      ),
      fcParams(500),
    );
    expectCode(() => clock.receive(42 as unknown as Stamp), 'E_HLC_INVALID');
  });

  it('orders stamps by (time, counter, nodeId), and the string order agrees', () => {
    const parts = fc.record({
      time: fc.integer({ min: 0, max: 2 ** 45 }),
      counter: fc.nat(MAX_STAMP_COUNTER),
      node: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,8}$/),
    });
    fc.assert(
      fc.property(parts, parts, (x, y) => {
        const tuple =
          x.time !== y.time
            ? x.time - y.time
            : x.counter !== y.counter
              ? x.counter - y.counter
              : x.node < y.node
                ? -1
                : x.node > y.node
                  ? 1
                  : 0;
        const a = encodeStamp(x);
        const b = encodeStamp(y);
        expect(Math.sign(a < b ? -1 : a > b ? 1 : 0)).toBe(Math.sign(tuple));
        expect(decodeStamp(a)).toEqual(x);
      }),
      fcParams(500),
    );
  });

  it('moves logical time on by 1 ms when the counter overflows, without duplicates', () => {
    const clock = createHlc({ nodeId: 'a', now: () => START });
    const seen = new Set<Stamp>();
    let previous = '';
    let outOfOrder = 0;
    for (let i = 0; i <= MAX_STAMP_COUNTER + 2; i++) {
      const stamp = clock.tick();
      if (!(stamp > previous)) outOfOrder++;
      seen.add(stamp);
      previous = stamp;
    }
    expect(outOfOrder).toBe(0);
    expect(seen.size).toBe(MAX_STAMP_COUNTER + 3);
    expect(decodeStamp(previous)).toEqual({ time: START + 1, counter: 1, node: 'a' });
  });

  it('two replicas trading stamps at full counters never diverge or repeat', () => {
    const a = createHlc({ nodeId: 'a', now: () => START });
    const b = createHlc({ nodeId: 'b', now: () => START });
    const nearFull = encodeStamp({ time: START, counter: MAX_STAMP_COUNTER, node: 'c' });
    const fromA = a.receive(nearFull);
    expect(decodeStamp(fromA)).toEqual({ time: START + 1, counter: 0, node: 'a' });
    const fromB = b.receive(fromA);
    expect(decodeStamp(fromB)).toEqual({ time: START + 1, counter: 1, node: 'b' });
    const stamps = [fromA, fromB];
    for (let i = 0; i < 200; i++)
      stamps.push(i % 2 === 0 ? a.receive(stamps[stamps.length - 1] as Stamp) : b.receive(stamps[stamps.length - 1] as Stamp));
    for (let i = 1; i < stamps.length; i++) expect((stamps[i] as Stamp) > (stamps[i - 1] as Stamp)).toBe(true);
  });

  it('resumes after a restart from the last stamp it issued', () => {
    const first = createHlc({ nodeId: 'a', now: () => START });
    const last = first.tick();
    const restarted = createHlc({ nodeId: 'a', now: () => START - TEN_MINUTES, last });
    expect(restarted.tick() > last).toBe(true);
  });

  it('rejects bad options and a broken wall clock with coded errors', () => {
    expectCode(() => createHlc({ nodeId: 'has space' }), 'E_OPTION_INVALID');
    expectCode(() => createHlc({ nodeId: 'a', maxDrift: -1 }), 'E_OPTION_INVALID');
    expectCode(() => createHlc({ nodeId: 'a', now: () => Number.NaN }).tick(), 'E_HLC_CLOCK');
    expectCode(() => encodeStamp({ time: -1, counter: 0, node: 'a' }), 'E_HLC_INVALID');
  });

  it('accepts the reserved words as node ids (they are data)', () => {
    for (const nodeId of ['__proto__', 'constructor', 'prototype']) {
      const stamp = createHlc({ nodeId, now: () => START }).tick();
      expect(decodeStamp(stamp).node).toBe(nodeId);
    }
  });
});
