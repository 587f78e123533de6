// client.events$ is one stream of everything a client does: cache entries, outbox ops, the outbox
// itself, live rooms' connections. Real outbox, a real HTTP endpoint for mutations, a real hub.
import { createFocusManager, createOnlineManager } from '../../lib/environment/index';
import { createOutbox } from '../../lib/outbox/outbox';
import { httpSender } from '../../lib/outbox/httpSender';
import { createClient } from '../../lib/query/client';
import type { ClientEvent } from '../../lib/query/clientEvents';
import { memoryStorage } from '../../lib/storage/memoryStorage';
import { LIVE_OP } from '../../lib/live/liveOp';
import { json, startServer, type TestServer } from '../support/httpServer';
import { startHub, type StartedHub } from '../server/fixtures/hubFixture';
import { liveClient, until } from './support/liveClients';

/** Events without the cache's: the outbox's, the mutations', the rooms'. */
const notCache = (events: readonly ClientEvent[]) => events.filter((e) => !('key' in e));

describe('client.events$', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
    server.route('/notes', (req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => (body.includes('REFUSED') ? json(res, 422, { error: 'refused' }) : json(res, 200, { ok: true })));
    });
  });
  afterEach(async () => server.close());

  function setup() {
    const online = createOnlineManager();
    const outbox = createOutbox({
      storage: memoryStorage(),
      online$: online.value$,
      locks: null,
      retry: { initialDelay: 5, maxDelay: 20 },
    });
    const client = createClient({ online, focus: createFocusManager(), outbox });
    const addNote = client.mutation<string, unknown, string[]>({
      name: 'addNote',
      send: (text, context) =>
        httpSender<string>({ url: `${server.url}/notes` })(
          { id: context.idempotencyKey, name: 'addNote', payload: text, scope: 'addNote', seq: 0, createdAt: 0, attempts: 0 },
          context,
        ),
      optimistic: { key: ['notes'], update: (draft, text) => void draft.push(text) },
    });
    return { online, outbox, client, addNote };
  }

  it('reports mutations queued, acked and dead, and the outbox depth, next to the cache events, without payloads', async () => {
    const { online, outbox, client, addNote } = setup();
    await until(() => outbox.leader$.get(), 'the outbox leads');
    client.setData(['notes'], []);
    const events: ClientEvent[] = [];
    const sub = client.events$.subscribe((event) => events.push(event));
    online.set(false);
    const accepted = await addNote.mutate('a secret note');
    const refused = await addNote.mutate('REFUSED');
    online.set(true);
    await accepted.settled;
    await refused.settled;
    await outbox.drained();
    sub.unsubscribe();

    // The depth counts an op from the moment it is being written, and drops it once its outcome is stored.
    expect(notCache(events)).toEqual([
      { type: 'outbox-pending', pending: 1 },
      { type: 'mutation-queued', name: 'addNote', id: accepted.id, scope: 'addNote' },
      { type: 'outbox-pending', pending: 2 },
      { type: 'mutation-queued', name: 'addNote', id: refused.id, scope: 'addNote' },
      { type: 'outbox-pending', pending: 1 },
      { type: 'mutation-acked', name: 'addNote', id: accepted.id, scope: 'addNote' },
      { type: 'outbox-pending', pending: 0 },
      { type: 'mutation-dead', name: 'addNote', id: refused.id, scope: 'addNote', error: expect.stringMatching(/answered 422/), code: 422 },
    ]);
    expect(JSON.stringify(notCache(events))).not.toContain('secret'); // ids, never payloads
    // The cache events are today's: the optimistic changes and their rollback are `updated`s.
    const notes = events.flatMap((e) => (e.type === 'updated' ? [e.state.data] : []));
    expect(notes).toEqual([['a secret note'], ['a secret note', 'REFUSED'], ['a secret note']]);
    outbox.close();
  });

  it('is hot and shared: built on the first subscriber, torn down after the last, nothing replayed', async () => {
    const { outbox, client } = setup();
    const cacheEvents = client.cache['events'];
    expect(client.events$).toBe(client.events$);
    expect(cacheEvents.observed).toBe(false); // reading events$ builds nothing that listens
    const first: ClientEvent[] = [];
    const second: ClientEvent[] = [];
    const a = client.events$.subscribe((e) => first.push(e));
    client.setData(['x'], 1);
    const b = client.events$.subscribe((e) => second.push(e));
    client.setData(['x'], 2);
    expect(first.map((e) => e.type)).toEqual(['added', 'updated', 'updated']);
    expect(second).toHaveLength(1);
    expect(second[0]).toBe(first[2]); // one pipeline for both subscribers
    a.unsubscribe();
    b.unsubscribe();
    expect(cacheEvents.observed).toBe(false);
    client.setData(['x'], 3);
    const again: ClientEvent[] = [];
    const c = client.events$.subscribe((e) => again.push(e));
    client.setData(['x'], 4);
    expect(again.map((e) => e.type)).toEqual(['updated']); // no replay of 3
    c.unsubscribe();
    outbox.close();
  });

  it('reports when this outbox instance starts and stops leading the shared queue', async () => {
    const storage = memoryStorage();
    const makeClient = () => {
      const outbox = createOutbox({ storage, locks: null, leaseTtl: 200, rescanInterval: 20 });
      return { outbox, client: createClient({ outbox }) };
    };
    const first = makeClient();
    const events: ClientEvent[] = [];
    const sub = first.client.events$.subscribe((e) => events.push(e));
    await until(() => events.some((e) => e.type === 'outbox-leader'), 'the first instance leads');
    const second = makeClient();
    const secondEvents: ClientEvent[] = [];
    const secondSub = second.client.events$.subscribe((e) => secondEvents.push(e));
    first.outbox.close(); // its lease is given up: the second takes over
    await until(() => secondEvents.some((e) => e.type === 'outbox-leader'), 'the second instance leads');
    expect(events.filter((e) => e.type === 'outbox-leader')).toEqual([
      { type: 'outbox-leader', leader: true },
      { type: 'outbox-leader', leader: false },
    ]);
    expect(secondEvents.filter((e) => e.type === 'outbox-leader')).toEqual([{ type: 'outbox-leader', leader: true }]);
    sub.unsubscribe();
    secondSub.unsubscribe();
    second.outbox.close();
  });
});

describe('client.events$ with live documents', () => {
  let started: StartedHub;
  beforeEach(async () => {
    started = await startHub();
  });
  afterEach(() => started.hub.close());

  it("reports each room's connection changes and the live edits' ops", async () => {
    const room = 'events';
    const live = liveClient(started.url, 'websocket', room);
    const events: ClientEvent[] = [];
    const sub = live.client.events$.subscribe((event) => events.push(event)); // before any room exists
    const doc = live.client.live({ room, doc: 'card', type: 'lww-map', transport: live.transport });
    try {
      await until(() => events.some((e) => e.type === 'connection' && e.status.joined), 'the room joined');
      await doc.set('title', 'Ship it');
      await doc.synced();
      await until(() => events.some((e) => e.type === 'mutation-acked'), 'the edit acked');
      const connection = events.flatMap((e) => (e.type === 'connection' ? [[e.room, e.status.state, e.status.joined]] : []));
      // A room opened while subscribed reports from its first status on.
      expect(connection.slice(0, 2)).toEqual([
        [room, 'closed', false],
        [room, 'connecting', false],
      ]);
      expect(connection).toContainEqual([room, 'open', true]);
      const ops = events.flatMap((e) => (e.type === 'mutation-queued' || e.type === 'mutation-acked' ? [[e.type, e.name]] : []));
      expect(ops).toEqual([
        ['mutation-queued', LIVE_OP],
        ['mutation-acked', LIVE_OP],
      ]);

      // The hub goes away: the room says so on the same stream.
      const seen = events.length;
      started.hub.close();
      await until(
        () => events.slice(seen).some((e) => e.type === 'connection' && !e.status.joined),
        'the room reports the lost connection',
      );
      const after = events.slice(seen).flatMap((e) => (e.type === 'connection' && !e.status.joined ? [e.status.state] : []));
      expect(['connecting', 'reconnecting']).toContain(after[0]);
    } finally {
      sub.unsubscribe();
      doc.close();
      live.close();
    }
  });
});
