import type { Subject } from 'rxjs';
import type { DeadLetter, OutboxOp } from './outboxOp.js';
import { deadLetterOf, type OutboxOutcome } from './outboxOutcome.js';
import type { PeerMessage } from './outboxPeers.js';
import type { OutboxStore } from './outboxStore.js';

/** What recording outcomes touches. */
export interface SettleDeps {
  readonly store: OutboxStore;
  /** Takes a settled op out of the queue; `undefined` when it was gone already (another instance finished it). */
  readonly remove: (id: string) => OutboxOp | undefined;
  readonly acks: Subject<{ op: OutboxOp; result: unknown }>;
  readonly dead: Subject<DeadLetter>;
  readonly post: (message: PeerMessage) => void;
  readonly now: () => number;
  /** Told once settled ops left the queue (the pending count changed). */
  readonly onRemoved: () => void;
}

/**
 * Records a run of outcomes of one scope, in order: every op's end (and dead letter) is written in
 * one group commit, then each op leaves the queue and is announced on `ack$` / `deadLetter$` and
 * to the other instances. An op is announced only by whoever removed it from the queue, so never
 * twice. When storage refuses, the ops before the first refused one still settle, and it rejects.
 */
export function createSettler(deps: SettleDeps): (outcomes: readonly OutboxOutcome[]) => Promise<void> {
  const { store } = deps;
  return async (outcomes) => {
    const letters = outcomes.map((o) => (o.ok ? undefined : deadLetterOf(o.op, o.error, deps.now())));
    // Issued in one turn, so the group committer writes them as one batch, in this order.
    const writes = outcomes.map((o, i) => {
      const letter = letters[i];
      return store.finish(o.op, letter === undefined ? undefined : [{ type: 'set', key: store.deadKey(o.op.id), value: letter }]);
    });
    const results = await Promise.allSettled(writes);
    const refused = results.findIndex((r) => r.status === 'rejected');
    const settled = refused < 0 ? outcomes.length : refused;
    const removed = outcomes.slice(0, settled).map((o) => deps.remove(o.op.id) !== undefined);
    deps.onRemoved();
    for (let i = 0; i < settled; i++) {
      const outcome = outcomes[i]!;
      if (!removed[i]) continue;
      const letter = letters[i];
      if (outcome.ok) {
        deps.acks.next({ op: outcome.op, result: outcome.result });
        deps.post({ type: 'acked', op: outcome.op, result: outcome.result });
      } else if (letter !== undefined) {
        deps.dead.next(letter);
        deps.post({ type: 'dead', letter });
      }
    }
    if (refused >= 0) throw (results[refused] as PromiseRejectedResult).reason;
  };
}
