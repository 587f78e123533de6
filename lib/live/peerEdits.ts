import { Subscription } from 'rxjs';
import type { Outbox } from '../outbox/outbox.js';
import { docKindFor } from '../crdt/docTypes.js';
import { LIVE_OP, checkLivePayload } from './liveOp.js';
import { opContext, type RoomLink } from './roomLink.js';

/**
 * Shows the live edits other tabs queue in the shared outbox at once, as pending (optimistic)
 * changes of this tab's replicas: the outbox's leader sends them, and the hub's ack, an ack
 * relayed by the leader, or a dead letter settles them here too. This tab never sends them itself.
 * Rooms not open yet pick them up from the queue when they open.
 */
export function showPeerEdits(outbox: Outbox, links: ReadonlyMap<string, RoomLink>, report: (error: unknown) => void): Subscription {
  const subscription = new Subscription();
  const replicaOf = (payload: unknown, id: string) => {
    const { room, doc, type } = checkLivePayload(payload, id);
    return links.get(room)?.doc(doc, type);
  };
  subscription.add(
    outbox.fromPeers$.subscribe((op) => {
      if (op.name !== LIVE_OP) return;
      void (async () => {
        const payload = checkLivePayload(op.payload, op.id);
        const link = links.get(payload.room);
        if (link === undefined) return;
        const { codec } = link;
        const plain =
          codec === undefined ? payload.body : await codec.decodeText(String(payload.body), opContext(payload.room, payload.doc));
        const replica = link.doc(payload.doc, payload.type);
        if (!replica.hasPending(op.id)) replica.propose(op.id, docKindFor(payload.type).decode(plain) as never);
      })().catch(report);
    }),
  );
  const settle = (op: { name: string; id: string; payload: unknown }, acked: boolean): void => {
    if (op.name !== LIVE_OP) return;
    try {
      const replica = replicaOf(op.payload, op.id);
      if (replica === undefined || !replica.hasPending(op.id)) return;
      if (acked) replica.acknowledge(op.id);
      else replica.withdraw(op.id);
    } catch (error) {
      report(error);
    }
  };
  subscription.add(outbox.ack$.subscribe(({ op }) => settle(op, true)));
  subscription.add(outbox.deadLetter$.subscribe(({ op }) => settle(op, false)));
  return subscription;
}
