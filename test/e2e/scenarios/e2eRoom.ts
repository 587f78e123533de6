// An end-to-end room: clients seal op bodies with the room key before they leave; the hub stores
// and forwards envelopes. What the hub stored must not contain any plaintext written, and the
// clients must still converge.
import { codecChain, compress, encrypt, json } from '../../../lib/codec/index';
import { deriveKeyFromSecret } from '../../../lib/codec/keyDerivation';
import type { Json } from '../../../lib/crdt/json';
import type { LiveCodec } from '../../../lib/live/roomLink';
import { canonical, until } from '../support/liveClients';
import type { LiveTarget } from '../support/liveTarget';

/** The codec of the room `room`, keyed from `secret`. */
export async function roomCodec(secret: string, room: string): Promise<LiveCodec> {
  const key = await deriveKeyFromSecret(new TextEncoder().encode(secret), {
    salt: new TextEncoder().encode('rxsync-e2e-test-salt'),
    info: room,
  });
  return codecChain([json<Json>(), compress({ format: 'deflate-raw', minBytes: 64 }), encrypt({ keys: { k1: key }, currentKeyId: 'k1' })]);
}

/** Alice (WebSocket) and Bob (SSE) write to the end-to-end room `e2e:<name>`; the hub keeps only envelopes. */
export async function e2eRoomScenario(target: LiveTarget, name: string): Promise<void> {
  const room = `e2e:${name}`;
  const codec = await roomCodec('a shared secret of the diary writers, 32+ bytes', 'e2e:diary');
  const alice = target.client('websocket', room);
  const bob = target.client('sse', room);
  const a = alice.client.live({ room, doc: 'entry', type: 'lww-map', transport: alice.transport, codec });
  const b = bob.client.live({ room, doc: 'entry', type: 'lww-map', transport: bob.transport, codec });
  const secrets = ['PLAINTEXT-needle-alpha', 'PLAINTEXT-needle-bravo', 'PLAINTEXT-needle-charlie'];
  const plainRoom = `plain-${name}`;
  const plain = target.client('websocket', plainRoom);
  const p = plain.client.live({ room: plainRoom, doc: 'entry', type: 'lww-map', transport: plain.transport });
  try {
    await a.set('mood', secrets[0]!);
    await b.set('weather', secrets[1]!);
    await a.update((draft) => {
      draft['note'] = { text: secrets[2]!, tags: ['x'] };
    });
    await Promise.all([a.synced(), b.synced()]);
    await until(() => canonical(a.get()) === canonical(b.get()) && Object.keys(a.get()).length === 3, 'both converge');
    expect(b.get()).toEqual({ mood: secrets[0], weather: secrets[1], note: { text: secrets[2], tags: ['x'] } });
    // The hub neither merged nor snapshotted what it cannot read.
    expect(await target.value(room, 'entry')).toBeUndefined();
    const stored = await target.storedText();
    for (const secret of [...secrets, 'mood', 'weather']) expect(stored.includes(secret)).toBe(false);
    // Sanity check of the grep itself: a plain room's values are found in the same store.
    await p.set('mood', 'PLAINTEXT-needle-control');
    await p.synced();
    expect((await target.storedText()).includes('PLAINTEXT-needle-control')).toBe(true);
  } finally {
    a.close();
    b.close();
    p.close();
    alice.close();
    bob.close();
    plain.close();
  }
}
