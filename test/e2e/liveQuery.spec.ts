// A live document is a query: an entry of its client's cache under ['live', room, doc], read with
// getData, persisted by persistCache, listed by the devtools, seen on events$, resynced by
// invalidate, and its handle's state$ is a query state. Real hub, real transports.
import { hmacTokens } from '../../server/hmacToken';
import { startHub, type StartedHub } from '../server/fixtures/hubFixture';
import { createOutbox } from '../../lib/outbox/outbox';
import { createClient } from '../../lib/query/client';
import { persistCache } from '../../lib/query/persistCache';
import { liveDocuments } from '../../lib/live/liveRegistry';
import { memoryStorage } from '../../lib/storage/memoryStorage';
import type { ClientEvent } from '../../lib/query/clientEvents';
import type { LiveQueryState } from '../../lib/live/index';
import { DevtoolsModel } from '../../samples/devtools/src/devtoolsModel';
import { hubTransport, liveClient, until } from './support/liveClients';

describe('a live document as a query', () => {
  let started: StartedHub;
  beforeEach(async () => {
    started = await startHub();
  });
  afterEach(() => started.hub.close());

  it('is the cache entry [live, room, doc]: getData, events$ and the devtools see the merged value', async () => {
    const room = 'as-query';
    const a = liveClient(started.url, 'websocket', room);
    const b = liveClient(started.url, 'websocket', room);
    const events: ClientEvent[] = [];
    const sub = b.client.events$.subscribe((event) => events.push(event));
    const model = new DevtoolsModel({ client: b.client } as never, () => undefined);
    const mine = a.client.live({ room, doc: 'card', type: 'lww-map', transport: a.transport });
    const theirs = b.client.live({ room, doc: 'card', type: 'lww-map', transport: b.transport });
    try {
      await mine.set('title', 'Ship it');
      await mine.synced();
      await until(() => b.client.getData<Record<string, string>>(['live', room, 'card'])?.['title'] === 'Ship it', 'b sees the edit');
      expect(b.client.getData(['live', room, 'card'])).toEqual(theirs.get());
      expect(a.client.getData(['live', room, 'card'])).toEqual({ title: 'Ship it' });
      const key = ['live', room, 'card'];
      expect(events.flatMap((e) => (e.type === 'added' ? [e.key] : []))).toEqual([key]);
      expect(events.some((e) => e.type === 'updated' && (e.state.data as { title?: string } | undefined)?.title === 'Ship it')).toBe(true);
      expect(model.queries()).toEqual([expect.objectContaining({ key: JSON.stringify(key), status: 'success', fetchStatus: 'idle' })]);
    } finally {
      sub.unsubscribe();
      model.dispose();
      mine.close();
      theirs.close();
      a.close();
      b.close();
    }
  });

  it('events$ sees fetched entries too: added, updated, invalidated, removed', async () => {
    const client = createClient();
    const events: string[] = [];
    const sub = client.events$.subscribe((e) => events.push(`${e.type} ${'key' in e ? JSON.stringify(e.key) : ''}`));
    client.setData(['todos'], [1]);
    await client.invalidate(['todos']);
    client.clear();
    sub.unsubscribe();
    expect(events).toEqual(['added ["todos"]', 'updated ["todos"]', 'invalidated ["todos"]', 'removed ["todos"]']);
  });

  it('state$ is pending and fetching while joining, then success with the merged value and the pending count', async () => {
    const room = 'states';
    const a = liveClient(started.url, 'websocket', room);
    const counter = a.client.live({ room, doc: 'count', type: 'pn-counter', transport: a.transport });
    const states: LiveQueryState<number>[] = [];
    const sub = counter.state$.subscribe((s) => states.push(s));
    try {
      expect(states[0]).toEqual(expect.objectContaining({ status: 'pending', data: undefined, isFetching: true, pending: 0 }));
      await until(() => states.at(-1)?.status === 'success' && !states.at(-1)?.isFetching, 'joined');
      expect(states.at(-1)).toEqual(expect.objectContaining({ status: 'success', data: 0, error: null, pending: 0, conflicts: [] }));
      void counter.add(2);
      expect(states.at(-1)).toEqual(expect.objectContaining({ status: 'success', data: 2, pending: 1 }));
      await counter.synced();
      expect(states.at(-1)).toEqual(expect.objectContaining({ data: 2, pending: 0 }));
    } finally {
      sub.unsubscribe();
      counter.close();
      a.close();
    }
  });

  it('invalidate asks the hub for the whole room again (a new connection from seq 0) and resolves once replayed', async () => {
    const room = 'resync';
    const a = liveClient(started.url, 'websocket', room);
    const b = liveClient(started.url, 'websocket', room);
    const mine = a.client.live({ room, doc: 'count', type: 'pn-counter', transport: a.transport });
    const theirs = b.client.live({ room, doc: 'count', type: 'pn-counter', transport: b.transport });
    const hellos: number[] = [];
    const sub = b.transport.status$.subscribe((s) => {
      if (s.state === 'open' && !hellos.includes(s.connection)) hellos.push(s.connection);
    });
    try {
      await mine.add(3);
      await mine.synced();
      await until(() => theirs.get() === 3, 'b sees 3');
      const fetching: boolean[] = [];
      const states = theirs.state$.subscribe((s) => fetching.push(s.isFetching));
      await b.client.invalidate(['live', room]);
      states.unsubscribe();
      expect(hellos).toEqual([1, 2]); // one new connection
      expect(b.transport.cursor.lastSeq).toBe(1); // replayed from 0 up to the head
      expect(fetching).toContain(true);
      expect(fetching.at(-1)).toBe(false);
      expect(b.client.getData(['live', room, 'count'])).toBe(3);
      expect(theirs.status$.get().joined).toBe(true);
    } finally {
      sub.unsubscribe();
      mine.close();
      theirs.close();
      a.close();
      b.close();
    }
  });

  it('setData refuses an open live document key (E_LIVE_KEY) and accepts it once closed', async () => {
    const a = liveClient(started.url, 'websocket', 'owned');
    const card = a.client.live({ room: 'owned', doc: 'card', type: 'lww-map', transport: a.transport });
    try {
      expect(() => a.client.setData(['live', 'owned', 'card'], { title: 'sneaky' })).toThrow(
        expect.objectContaining({ code: 'E_LIVE_KEY' }),
      );
      expect(card.get()).toEqual({});
    } finally {
      card.close();
      a.close();
    }
    a.client.setData(['live', 'owned', 'card'], { title: 'a plain cached value now' });
    expect(a.client.getData(['live', 'owned', 'card'])).toEqual({ title: 'a plain cached value now' });
  });

  it('persistCache keeps the merged value: after a reload getData shows it before the room connects', async () => {
    const room = 'persisted';
    const storage = memoryStorage();
    const a = liveClient(started.url, 'websocket', room);
    const persisted = persistCache(a.client, storage);
    await persisted.restored;
    const card = a.client.live({ room, doc: 'card', type: 'lww-map', transport: a.transport });
    await card.set('title', 'Saved');
    await card.synced();
    await persisted.flush();
    persisted.stop();
    card.close();
    a.close();
    await started.hub.close(); // the room is unreachable after the reload

    const outbox = createOutbox({ storage: memoryStorage() });
    const reloaded = createClient({ outbox, live: liveDocuments });
    const restored = persistCache(reloaded, storage);
    await restored.restored;
    expect(reloaded.getData(['live', room, 'card'])).toEqual({ title: 'Saved' });
    const again = reloaded.live({ room, doc: 'card', type: 'lww-map', transport: hubTransport(started.url, 'websocket', { room }) });
    const states: LiveQueryState<unknown>[] = [];
    const sub = again.state$.subscribe((s) => states.push(s));
    expect(states.at(-1)).toEqual(expect.objectContaining({ status: 'success', data: { title: 'Saved' }, isFetching: true }));
    sub.unsubscribe();
    restored.stop();
    again.close();
    outbox.close();
    started = await startHub(); // for afterEach
  });

  it('state$ is an error when the hub refuses the connection', async () => {
    await started.hub.close();
    const tokens = hmacTokens({ secret: 'live-query-test-secret-0123456789abcdef' });
    started = await startHub({ authenticate: tokens.authenticate });
    const outbox = createOutbox({ storage: memoryStorage() });
    const client = createClient({ outbox, live: liveDocuments });
    const transport = hubTransport(started.url, 'websocket', { room: 'closed-door' }, { token: () => 'not-a-token' });
    const doc = client.live({ room: 'closed-door', doc: 'd', type: 'lww-map', transport });
    const states: LiveQueryState<unknown>[] = [];
    const sub = doc.state$.subscribe((s) => states.push(s));
    try {
      await until(() => states.at(-1)?.status === 'error', 'refused');
      expect(states.at(-1)).toEqual(
        expect.objectContaining({ status: 'error', isFetching: false, error: expect.objectContaining({ code: 'E_AUTH_REFUSED' }) }),
      );
    } finally {
      sub.unsubscribe();
      doc.close();
      outbox.close();
    }
  });
});
