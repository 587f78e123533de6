// The room sequencer alone: whatever order, repeats and losses the ops arrive in, the room gets
// each seq once, in order, the gaps read from the log.
import fc from 'fast-check';
import { createMetrics } from '../../lib/metrics/index.js';
import { hubMetrics } from '../../server/hubMetrics.js';
import { memoryLog } from '../../server/memoryLog.js';
import type { LoggedOp } from '../../server/opLog.js';
import { RoomSequencer, type SequencedOp } from '../../server/roomSequencer.js';
import { fcParams } from '../support/fc.js';
import { counterOp } from './fixtures/hubFixture.js';

/** Failures the sequencer reported (none expected: the log works). */
const errors: unknown[] = [];
afterEach(() => expect(errors.splice(0)).toEqual([]));

function setup(): {
  room: { name: string; e2e: boolean; head: number; got: number[] };
  sequencer: RoomSequencer;
  log: ReturnType<typeof memoryLog>;
} {
  const log = memoryLog();
  const room = {
    name: 'r',
    e2e: false,
    head: 0,
    got: [] as number[],
    deliver(ops: readonly SequencedOp[]) {
      for (const { seq } of ops) {
        room.got.push(seq);
        room.head = seq;
      }
    },
  };
  const sequencer = new RoomSequencer(room, { log, metrics: hubMetrics(createMetrics()), reportError: (error) => errors.push(error) });
  return { room, sequencer, log };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

describe('RoomSequencer', () => {
  it('delivers every seq once and in order, whatever order, repeats and losses of the bus events', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        // Each event: a run [from, from + length) of the log, possibly lost; events in any order.
        fc.array(fc.record({ from: fc.nat(39), length: fc.integer({ min: 1, max: 5 }), lost: fc.boolean() }), { maxLength: 30 }),
        async (total, events) => {
          const { room, sequencer, log } = setup();
          const logged = (
            await log.append(
              'r',
              Array.from({ length: total }, (_, i) => counterOp(`op${i}`)),
            )
          ).applied;
          for (const { from, length, lost } of events) {
            const run: LoggedOp[] = logged.slice(Math.min(from, total), Math.min(from + length, total));
            if (!lost && run.length > 0) sequencer.announced(run);
          }
          await settle();
          // Whatever arrived came in order; a lost tail is caught by the next probe.
          expect(room.got).toEqual(room.got.map((_, i) => i + 1));
          await sequencer.catchUp();
          expect(room.got).toEqual(logged.map((l) => l.seq));
        },
      ),
      fcParams(60),
    );
  });

  it("holds the writer's own commit until the other hubs' ops before it are read from the log", async () => {
    const { room, sequencer, log } = setup();
    await log.append('r', [counterOp('other-1'), counterOp('other-2')]);
    const mine = (await log.append('r', [counterOp('mine')])).applied.map((l) => ({ ...l, state: undefined, receivedAt: 0 }));
    const delivered = sequencer.committed(mine);
    expect(delivered).toBeInstanceOf(Promise);
    await delivered;
    expect(room.got).toEqual([1, 2, 3]);
    // Next in line: straight through, no promise.
    const next = (await log.append('r', [counterOp('mine-2')])).applied.map((l) => ({ ...l, state: undefined, receivedAt: 0 }));
    expect(sequencer.committed(next)).toBeUndefined();
    expect(room.got).toEqual([1, 2, 3, 4]);
  });

  it('reads up to a head announced without its ops', async () => {
    const { room, sequencer, log } = setup();
    await log.append('r', [counterOp('a'), counterOp('b'), counterOp('c')]);
    sequencer.knownUpTo(2);
    await settle();
    expect(room.got).toEqual([1, 2]);
    sequencer.knownUpTo(1);
    sequencer.knownUpTo(3);
    await settle();
    expect(room.got).toEqual([1, 2, 3]);
  });
});
