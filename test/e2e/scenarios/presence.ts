// Two clients with tokens in one room: each sees the other's presence, its updates, and its leaving.
import { until } from '../support/liveClients';
import type { LiveTarget } from '../support/liveTarget';

/** Signs a token for `sub` valid in `rooms` (the target's hubs check it). */
export type SignToken = (sub: string, rooms: string[] | '*') => string;

/** Ann (WebSocket) and Bob (SSE) meet in `room` of `target`; on a cluster they start on different hubs. */
export async function presenceScenario(target: LiveTarget, room: string, sign: SignToken): Promise<void> {
  const ann = target.client('websocket', room, { token: sign('ann', [room]) });
  const bob = target.client('sse', room, { token: sign('bob', '*') });
  const annDoc = ann.client.live({ room, doc: 'sketch', type: 'lww-map', transport: ann.transport });
  const bobDoc = bob.client.live({ room, doc: 'sketch', type: 'lww-map', transport: bob.transport });
  try {
    annDoc.setPresence({ name: 'Ann', cursor: [1, 2] });
    // Ann may show first as present without state (she joined, then set it; on a cluster both reach
    // Bob's hub as separate events): Bob ends up seeing her state.
    await until(
      () => JSON.stringify(bobDoc.presence$.get().find((p) => p.principal === 'ann')?.state) === '{"name":"Ann","cursor":[1,2]}',
      'Bob sees Ann and her state',
    );
    expect(bobDoc.presence$.get().find((p) => p.principal === 'ann')?.state).toEqual({ name: 'Ann', cursor: [1, 2] });
    // Ann sees Bob as present (no state yet), but never herself.
    await until(() => annDoc.presence$.get().some((p) => p.principal === 'bob'), 'Ann sees Bob');
    expect(annDoc.presence$.get().every((p) => p.principal !== 'ann')).toBe(true);

    annDoc.setPresence({ name: 'Ann', cursor: [5, 8] });
    await until(
      () => JSON.stringify(bobDoc.presence$.get().find((p) => p.principal === 'ann')?.state) === '{"name":"Ann","cursor":[5,8]}',
      'the update',
    );

    annDoc.close(); // the room's last document: the connection closes
    await until(() => bobDoc.presence$.get().every((p) => p.principal !== 'ann'), 'Ann left');
  } finally {
    annDoc.close();
    bobDoc.close();
    ann.close();
    bob.close();
  }
}
