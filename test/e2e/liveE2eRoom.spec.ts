import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RxSyncError } from '../../lib/errors';
import type { LiveCodec } from '../../lib/live/roomLink';
import { until } from './support/liveClients';
import { sqliteTarget, type LiveTarget } from './support/liveTarget';
import { e2eRoomScenario, roomCodec as codecFor } from './scenarios/e2eRoom';

/**
 * An end-to-end room: clients seal op bodies with the room key before they leave; the hub stores
 * and forwards envelopes. Its SQLite files must not contain any plaintext written, and the
 * clients must still converge. (test/cluster runs the first scenario on a cluster.)
 */
describe('end-to-end encrypted room through the real hub', () => {
  let dir: string;
  let target: LiveTarget & { close(): Promise<void> };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxsync-e2e-room-'));
    target = await sqliteTarget(dir);
  });

  afterAll(async () => {
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const roomCodec = (secret: string): Promise<LiveCodec> => codecFor(secret, 'e2e:diary');

  it('the hub keeps no plaintext, and the clients converge', () => e2eRoomScenario(target, 'diary'));

  it('a client with the wrong key cannot read, reports E_DECRYPT, and its state stays unchanged', async () => {
    const room = 'e2e:locked';
    const writer = target.client('websocket', room);
    const w = writer.client.live({
      room,
      doc: 'd',
      type: 'lww-register',
      transport: writer.transport,
      codec: await roomCodec('the right secret, long enough for HKDF'),
    });
    const eve = target.client('websocket', room);
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
    const c = target.client('websocket', room);
    const doc = c.client.live({ room, doc: 'd', type: 'lww-register', transport: c.transport });
    const errors: RxSyncError[] = [];
    const sub = doc.errors$.subscribe((error) => errors.push(error));
    try {
      await doc.set('plaintext that must not leave');
      await until(() => errors.some((error) => error.code === 'E_E2E_MISMATCH'), 'the mismatch is reported');
      expect(doc.pending$.get()).toBe(1);
      const bytes = await target.storedText();
      expect(bytes.includes('plaintext that must not leave')).toBe(false);
    } finally {
      sub.unsubscribe();
      doc.close();
      c.close();
    }
  });
});
