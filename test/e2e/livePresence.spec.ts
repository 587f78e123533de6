import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RxSyncError } from '../../lib/errors';
import { hmacTokens } from '../../server/index';
import { until } from './support/liveClients';
import { sqliteTarget, type LiveTarget } from './support/liveTarget';
import { presenceScenario } from './scenarios/presence';

describe('presence and auth through client.live', () => {
  let dir: string;
  let target: LiveTarget & { close(): Promise<void> };
  const tokens = hmacTokens({ secret: 'presence-test-secret-0123456789abcdef' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxsync-presence-'));
    target = await sqliteTarget(dir, { authenticate: tokens.authenticate });
  });

  afterAll(async () => {
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows who is here, their updates, and their leaving', () =>
    presenceScenario(target, 'studio', (sub, rooms) => tokens.sign({ sub, rooms, expiresIn: 60 })));

  it('a client with a bad token is refused, and its edit is not applied but stays queued', async () => {
    const room = 'vault';
    const intruder = target.client('websocket', room, { token: 'not-a-token' });
    const doc = intruder.client.live({ room, doc: 'secrets', type: 'lww-register', transport: intruder.transport });
    const errors: RxSyncError[] = [];
    const sub = doc.errors$.subscribe((e) => errors.push(e));
    try {
      await doc.set('overwrite');
      await until(() => doc.status$.get().state === 'refused', 'the refusal is reported');
      // Final for this token: the link stops (no retry loop) and says why.
      expect((doc.status$.get().error as RxSyncError).code).toBe('E_AUTH_REFUSED');
      expect(doc.status$.get().joined).toBe(false);
      expect(doc.pending$.get()).toBe(1);
      expect(await target.value(room, 'secrets')).toBeUndefined();
      expect(errors.map((e) => e.code)).toEqual(['E_AUTH_REFUSED']);
    } finally {
      sub.unsubscribe();
      doc.close();
      intruder.close();
    }
  });
});
