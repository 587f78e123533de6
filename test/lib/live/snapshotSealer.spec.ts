import type { SealedSnapshotMessage } from '../../../lib/protocol/hubMessages';
import type { ReplicaSet } from '../../../lib/live/room/replicaSet';
import { SnapshotSealer } from '../../../lib/live/room/snapshotSealer';

/** A sealer over a stub room: `at` is the merged seq, `sent` what it sent. */
function setup(options: { every: number; random: number; whole?: boolean; caughtUp?: boolean }) {
  const state = { at: 0, whole: options.whole ?? true, caughtUp: options.caughtUp ?? true };
  const sent: SealedSnapshotMessage[] = [];
  const replicas = {
    get whole() {
      return state.whole;
    },
    seal: async (seq: number) => [{ doc: 'd', type: 'yjs' as const, state: `sealed@${seq}` }],
  } as unknown as ReplicaSet;
  const sealer = new SnapshotSealer({
    every: options.every,
    replicas,
    lastSeq: () => state.at,
    caughtUp: () => state.caughtUp,
    send: (message) => sent.push(message),
    report: (error) => {
      throw error;
    },
    random: () => options.random,
  });
  const at = async (seq: number): Promise<void> => {
    state.at = seq;
    sealer.check();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { sealer, sent, state, at };
}

describe('SnapshotSealer', () => {
  it('seals once `every` plus its jitter ops passed the newest snapshot, then counts from there', async () => {
    const { sent, at } = setup({ every: 10, random: 0.5 }); // threshold 10 + floor(0.5 * 5) = 12
    await at(11);
    expect(sent).toEqual([]);
    await at(12);
    expect(sent).toEqual([{ kind: 'snapshot', seq: 12, docs: [{ doc: 'd', type: 'yjs', state: 'sealed@12' }] }]);
    // Whatever the hub answers, the next one waits for another threshold of ops.
    await at(23);
    expect(sent).toHaveLength(1);
    await at(24);
    expect(sent.map((m) => m.seq)).toEqual([12, 24]);
  });

  it("starts counting again from another client's snapshot (`snapshotted`)", async () => {
    const { sealer, sent, at } = setup({ every: 10, random: 0.99 }); // threshold 14
    await at(13);
    sealer.known(13);
    await at(20);
    expect(sent).toEqual([]);
    await at(27);
    expect(sent.map((m) => m.seq)).toEqual([27]);
  });

  it('clients with different draws cross at different seqs', () => {
    const early = setup({ every: 100, random: 0 });
    const late = setup({ every: 100, random: 0.9 });
    void early.at(100);
    void late.at(100);
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      expect(early.sent).toHaveLength(1);
      expect(late.sent).toHaveLength(0);
    });
  });

  it('never seals before the replay is over, with an envelope it could not open, or with every = 0', async () => {
    const behind = setup({ every: 5, random: 0, caughtUp: false });
    await behind.at(50);
    const partial = setup({ every: 5, random: 0, whole: false });
    await partial.at(50);
    const off = setup({ every: 0, random: 0 });
    await off.at(50);
    expect([behind.sent, partial.sent, off.sent]).toEqual([[], [], []]);
    behind.state.caughtUp = true;
    await behind.at(51);
    expect(behind.sent.map((m) => m.seq)).toEqual([51]);
  });
});
