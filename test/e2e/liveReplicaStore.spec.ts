import type { RxSyncError } from '../../lib/errors';
import { liveDocuments } from '../../lib/live/liveRegistry';
import { replicaKey } from '../../lib/live/room/replicaStore';
import { createOutbox } from '../../lib/outbox/outbox';
import { createClient } from '../../lib/query/client';
import { memoryStorage } from '../../lib/storage/memoryStorage';
import type { Storage } from '../../lib/storage/storage';
import { createHub, memoryLog, type Hub } from '../../server/index';
import { freePort } from '../transports/support/wait';
import { hubTransport, liveClient, until } from './support/liveClients';

/** A client over `storage` whose room replica is saved there too (as an app reloading would). */
function persistedClient(base: string, room: string, storage: Storage) {
  const outbox = createOutbox({ storage, retry: { initialDelay: 20, maxDelay: 200 } });
  const client = createClient({ outbox, live: liveDocuments });
  const transport = hubTransport(base, 'websocket', { room });
  const doc = client.live({ room, doc: 'board', type: 'lww-map', transport, storage });
  return { outbox, transport, doc, close: () => (doc.close(), outbox.close()) };
}

describe('a saved room replica', () => {
  let hub: Hub;
  let base: string;

  beforeAll(async () => {
    hub = createHub({ log: memoryLog() });
    base = (await hub.listen(0, '127.0.0.1')).url;
  });

  afterAll(() => hub.close());

  it('shows the last synced values after a reload while offline, and resumes after them when online', async () => {
    const room = 'saved';
    const storage = memoryStorage();
    const writer = liveClient(base, 'websocket', room);
    const theirs = writer.client.live({ room, doc: 'board', type: 'lww-map', transport: writer.transport });
    const first = persistedClient(base, room, storage);
    try {
      for (let i = 0; i < 10; i++) await theirs.set(`k${i}`, i);
      await theirs.synced();
      await until(() => Object.keys(first.doc.get()).length === 10, 'the first session saw every value');
      first.close(); // last document of the room: the replica is saved now

      // Reload while offline: nothing listens at this address.
      const offline = persistedClient(`http://127.0.0.1:${await freePort()}`, room, storage);
      await until(() => Object.keys(offline.doc.get()).length === 10, 'the saved values show offline');
      expect(offline.doc.get()).toEqual(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i])));
      offline.close();

      // Reload online: only the ops after the saved cursor come over the wire.
      await theirs.set('late', true);
      await theirs.synced();
      const again = persistedClient(base, room, storage);
      const ops: string[] = [];
      const spy = again.transport.messages$.subscribe((m) => {
        const message = m as { kind?: string; op?: { id: string } };
        if (message.kind === 'op' && message.op) ops.push(message.op.id);
      });
      await until(() => again.doc.get()['late'] === true, 'the newer op arrives');
      expect(ops).toHaveLength(1);
      spy.unsubscribe();
      again.close();
    } finally {
      theirs.close();
      writer.close();
    }
  });

  it('reports a damaged record and resyncs from the hub instead', async () => {
    const room = 'damaged';
    const storage = memoryStorage();
    const writer = liveClient(base, 'websocket', room);
    const theirs = writer.client.live({ room, doc: 'board', type: 'lww-map', transport: writer.transport });
    try {
      await theirs.set('title', 'kept on the hub');
      await theirs.synced();
      await storage.set(replicaKey(room), {
        v: 1,
        lastSeq: 99,
        docs: [{ doc: 'board', type: 'lww-map', state: { type: 'lww-map', v: 1, keys: 7 } }],
      });
      const reloaded = persistedClient(base, room, storage);
      const errors: RxSyncError[] = [];
      const sub = reloaded.doc.errors$.subscribe((e) => errors.push(e));
      await until(() => reloaded.doc.get()['title'] === 'kept on the hub', 'a full resync');
      expect(errors.map((e) => e.code)).toContain('E_STORAGE_CORRUPT');
      sub.unsubscribe();
      reloaded.close();
    } finally {
      theirs.close();
      writer.close();
    }
  });
});
