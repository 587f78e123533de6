import { docKindFor } from '../../crdt/docTypes.js';
import type { Outbox } from '../../outbox/outbox.js';
import { opContext, type LiveCodec } from '../liveCodec.js';
import { LIVE_OP, checkLivePayload } from '../liveOp.js';
import type { ReplicaSet } from './replicaSet.js';

/**
 * After a reload: the room's edits still queued in the outbox show at once, as pending edits of
 * their replicas. They go out only when the outbox delivers them.
 */
export async function showQueuedEdits(
  outbox: Outbox,
  room: string,
  codec: LiveCodec | undefined,
  replicas: ReplicaSet,
  report: (error: unknown, code: string) => void,
): Promise<void> {
  for (const queued of outbox.pendingOps()) {
    if (queued.name !== LIVE_OP) continue;
    try {
      const payload = checkLivePayload(queued.payload, queued.id);
      if (payload.room !== room) continue;
      const replica = replicas.doc(payload.doc, payload.type);
      if (replica.hasPending(queued.id)) continue;
      const plain = codec === undefined ? payload.body : await codec.decodeText(String(payload.body), opContext(room, payload.doc));
      replica.propose(queued.id, docKindFor(payload.type).decode(plain) as never);
    } catch (error) {
      report(error, 'E_OUTBOX_CORRUPT');
    }
  }
}
