import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codecChain, compress, encrypt, json } from '../../lib/codec/index';
import { deriveKeyFromSecret } from '../../lib/codec/keyDerivation';
import type { Json } from '../../lib/crdt/json';
import type { RxSyncError } from '../../lib/errors';
import type { LiveCodec } from '../../lib/live/roomLink';
import { createHub, openSqliteLog, type Hub } from '../../server/index';
import { canonical, liveClient, until } from './support/liveClients';

/**
 * An end-to-end room: clients seal op bodies with the room key before they leave; the hub stores
 * and forwards envelopes. Its SQLite files must not contain any plaintext written, and the
 * clients must still converge.
 */
describe('end-to-end encrypted room through the real hub', () => {
  let dir: string;
  let hub: Hub;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxsync-e2e-room-'));
    hub = createHub({ log: await openSqliteLog({ path: join(dir, 'hub.db') }) });
    base = (await hub.listen(0, '127.0.0.1')).url;
  });

  afterAll(async () => {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const roomCodec = async (secret: string): Promise<LiveCodec> => {
    const key = await deriveKeyFromSecret(new TextEncoder().encode(secret), {
      salt: new TextEncoder().encode('rxsync-e2e-test-salt'),
      info: 'e2e:diary',
    });
    return codecChain([
      json<Json>(),
      compress({ format: 'deflate-raw', minBytes: 64 }),
      encrypt({ keys: { k1: key }, currentKeyId: 'k1' }),
    ]);
  };

  it('the hub keeps no plaintext, and the clients converge', async () => {
    const room = 'e2e:diary';
    const codec = await roomCodec('a shared secret of the diary writers, 32+ bytes');
    const alice = liveClient(base, 'websocket', room);
    const bob = liveClient(base, 'sse', room);
    const a = alice.client.live({ room, doc: 'entry', type: 'lww-map', transport: alice.transport, codec });
    const b = bob.client.live({ room, doc: 'entry', type: 'lww-map', transport: bob.transport, codec });
    const secrets = ['PLAINTEXT-needle-alpha', 'PLAINTEXT-needle-bravo', 'PLAINTEXT-needle-charlie'];
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
      expect(await hub.value(room, 'entry')).toBeUndefined();
      // Grep every file of the hub's data (database, WAL) for the plaintext.
      for (const file of readdirSync(dir).filter((f) => f.startsWith('hub.db'))) {
        const bytes = readFileSync(join(dir, file)).toString('latin1');
        for (const secret of [...secrets, 'mood', 'weather']) expect(bytes.includes(secret)).toBe(false);
      }
      // Sanity check of the grep itself: a plain room's values are found in the same files.
      const plain = liveClient(base, 'websocket', 'plain-room');
      const p = plain.client.live({ room: 'plain-room', doc: 'entry', type: 'lww-map', transport: plain.transport });
      await p.set('mood', 'PLAINTEXT-needle-control');
      await p.synced();
      const found = readdirSync(dir)
        .filter((f) => f.startsWith('hub.db'))
        .some((file) => readFileSync(join(dir, file)).toString('latin1').includes('PLAINTEXT-needle-control'));
      expect(found).toBe(true);
      p.close();
      plain.close();
    } finally {
      a.close();
      b.close();
      alice.close();
      bob.close();
    }
  });

  it('a client with the wrong key cannot read, reports E_DECRYPT, and its state stays unchanged', async () => {
    const room = 'e2e:locked';
    const writer = liveClient(base, 'websocket', room);
    const w = writer.client.live({
      room,
      doc: 'd',
      type: 'lww-register',
      transport: writer.transport,
      codec: await roomCodec('the right secret, long enough for HKDF'),
    });
    const eve = liveClient(base, 'websocket', room);
    const e = eve.client.live({
      room,
      doc: 'd',
      type: 'lww-register',
      transport: eve.transport,
      codec: await roomCodec('a wrong secret, long enough for HKDF too'),
    });
    const errors: RxSyncError[] = [];
    const sub = e.errors$.subscribe((error) => errors.push(error));
    try {
      await w.set('for the right readers only');
      await w.synced();
      await until(() => errors.some((error) => error.code === 'E_DECRYPT'), 'the wrong key is reported');
      expect(e.get()).toBeUndefined();
    } finally {
      sub.unsubscribe();
      w.close();
      e.close();
      writer.close();
      eve.close();
    }
  });

  it('a client without the key is told the room is end-to-end and sends nothing', async () => {
    const room = 'e2e:closed';
    const c = liveClient(base, 'websocket', room);
    const doc = c.client.live({ room, doc: 'd', type: 'lww-register', transport: c.transport });
    const errors: RxSyncError[] = [];
    const sub = doc.errors$.subscribe((error) => errors.push(error));
    try {
      await doc.set('plaintext that must not leave');
      await until(() => errors.some((error) => error.code === 'E_E2E_MISMATCH'), 'the mismatch is reported');
      expect(doc.pending$.get()).toBe(1);
      const bytes = readdirSync(dir)
        .filter((f) => f.startsWith('hub.db'))
        .map((file) => readFileSync(join(dir, file)).toString('latin1'))
        .join('');
      expect(bytes.includes('plaintext that must not leave')).toBe(false);
    } finally {
      sub.unsubscribe();
      doc.close();
      c.close();
    }
  });
});
