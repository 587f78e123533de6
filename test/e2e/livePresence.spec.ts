import type { RxSyncError } from '../../lib/errors';
import { createHub, hmacTokens, memoryLog, type Hub } from '../../server/index';
import { liveClient, until } from './support/liveClients';

describe('presence and auth through client.live', () => {
  let hub: Hub;
  let base: string;
  const tokens = hmacTokens({ secret: 'presence-test-secret-0123456789abcdef' });

  beforeAll(async () => {
    hub = createHub({ log: memoryLog(), authenticate: tokens.authenticate });
    base = (await hub.listen(0, '127.0.0.1')).url;
  });

  afterAll(() => hub.close());

  it('shows who is here, their updates, and their leaving', async () => {
    const room = 'studio';
    const ann = liveClient(base, 'websocket', room, { token: tokens.sign({ sub: 'ann', rooms: [room], expiresIn: 60 }) });
    const bob = liveClient(base, 'sse', room, { token: tokens.sign({ sub: 'bob', rooms: '*', expiresIn: 60 }) });
    const annDoc = ann.client.live({ room, doc: 'sketch', type: 'lww-map', transport: ann.transport });
    const bobDoc = bob.client.live({ room, doc: 'sketch', type: 'lww-map', transport: bob.transport });
    try {
      annDoc.setPresence({ name: 'Ann', cursor: [1, 2] });
      await until(() => bobDoc.presence$.get().some((p) => p.principal === 'ann'), 'Bob sees Ann');
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
  });

  it('a client with a bad token is refused, and its edit is not applied but stays queued', async () => {
    const room = 'vault';
    const intruder = liveClient(base, 'websocket', room, { token: 'not-a-token' });
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
      expect(await hub.value(room, 'secrets')).toBeUndefined();
      expect(errors.map((e) => e.code)).toEqual(['E_AUTH_REFUSED']);
    } finally {
      sub.unsubscribe();
      doc.close();
      intruder.close();
    }
  });
});
