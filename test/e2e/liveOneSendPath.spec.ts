// The room side of live sync, on a real hub: one send path (each op crosses each connection once),
// one drift policy (far-future stamps refused by the operators, the room and the hub alike), the
// schema hook on remote values, and resync.
import { Subject, tap } from 'rxjs';
import { createHlc, lwwMap, type Json } from '../../lib/crdt/index';
import type { RxSyncError } from '../../lib/errors';
import type { LiveCounter, LiveMap } from '../../lib/live/index';
import type { LiveTransport } from '../../lib/live/liveTransport';
import { RoomLink } from '../../lib/live/roomLink';
import { createOutbox } from '../../lib/outbox/outbox';
import { memoryStorage } from '../../lib/storage/memoryStorage';
import { mergeLww } from '../../operators/mergeLww';
import { counterOp, startHub, type StartedHub } from '../server/fixtures/hubFixture';
import { wsClient } from '../server/fixtures/rawClients';
import { countingProxy, type CountingProxy } from './support/countingProxy';
import { hubTransport, liveClient, until } from './support/liveClients';

const HOUR = 3_600_000;

/** A room link of its own (not through a client), e.g. with a clock that runs behind. */
function observer(url: string, room: string, clockNow: () => number = Date.now) {
  const outbox = createOutbox({ storage: memoryStorage() });
  const inner = hubTransport(url, 'websocket', { room });
  let ops = 0;
  // The link's own view of the hub's messages (a second subscriber would keep the connection up).
  const transport: LiveTransport = {
    messages$: inner.messages$.pipe(tap((message) => (ops += (message as { kind?: string }).kind === 'op' ? 1 : 0))),
    status$: inner.status$,
    send: (message) => inner.send(message),
    retry: () => inner.retry(),
    get cursor() {
      return inner.cursor;
    },
    set cursor(cursor) {
      inner.cursor = cursor;
    },
  };
  const link = new RoomLink(room, transport, { outbox, clock: createHlc({ nodeId: 'observer', now: clockNow }) });
  const errors: RxSyncError[] = [];
  const sub = link.errors$.subscribe((error) => errors.push(error));
  const release = link.use();
  return {
    link,
    errors,
    ops: () => ops,
    close: () => {
      release();
      sub.unsubscribe();
      outbox.close();
    },
  };
}

/** A far-future lww-map state, encoded as it travels. */
function farFuture(field: string, value: Json): Json {
  const clock = createHlc({ nodeId: 'future', now: () => Date.now() + HOUR });
  return JSON.parse(JSON.stringify(lwwMap.encode(lwwMap.set(lwwMap.create<Json>(), field, value, clock.tick())))) as Json;
}

describe('one send path', () => {
  let started: StartedHub;
  let proxy: CountingProxy;
  beforeEach(async () => {
    started = await startHub();
    proxy = await countingProxy(started.url);
  });
  afterEach(async () => {
    await proxy.close();
    await started.hub.close();
  });

  it('sends each op once per connection, and only the unacked ones again after a reconnect', async () => {
    const room = 'one-send';
    const live = liveClient(proxy.url, 'websocket', room);
    const acked: string[] = [];
    const ackSub = live.outbox.ack$.subscribe(({ op }) => acked.push(op.id));
    const counter = live.client.live({ room, doc: 'count', type: 'pn-counter', transport: live.transport }) as LiveCounter;
    try {
      await until(() => counter.status$.get().joined, 'joined');
      await Promise.all(Array.from({ length: 20 }, () => counter.add(1)));
      await counter.synced();
      // Acks now get lost: the op in flight stays unacked when the connection is cut.
      proxy.holdAcks = true;
      const late = Array.from({ length: 5 }, () => counter.add(1));
      await Promise.all(late);
      await until(() => (proxy.opsByConnection.get(1)?.length ?? 0) > 20, 'an op in flight past the held acks');
      const ackedBeforeCut = new Set(acked);
      proxy.cut();
      proxy.holdAcks = false;
      await until(() => acked.length === 25, 'every op acked after the reconnect');
      await counter.synced();

      const first = proxy.opsByConnection.get(1) ?? [];
      const later = [...proxy.opsByConnection].filter(([n]) => n > 1).flatMap(([, ids]) => ids);
      for (const [, ids] of proxy.opsByConnection) expect(new Set(ids).size).toBe(ids.length); // once per connection
      expect(new Set([...first, ...later])).toEqual(new Set(acked)); // every op reached the hub
      // Nothing acked before the cut went again; what went again had not been acked.
      expect(later.filter((id) => ackedBeforeCut.has(id))).toEqual([]);
      expect(later.filter((id) => first.includes(id)).length).toBeGreaterThan(0);
      expect(await started.hub.value(room, 'count')).toEqual({ type: 'pn-counter', value: 25 });
    } finally {
      ackSub.unsubscribe();
      counter.close();
      live.close();
    }
  }, 30_000);
});

describe('one drift policy', () => {
  let started: StartedHub;
  beforeEach(async () => {
    started = await startHub();
  });
  afterEach(() => started.hub.close());

  it('refuses a far-future stamp the same way in mergeLww, in the hub and in a room whose clock it outruns', async () => {
    const room = 'drift';
    const body = farFuture('title', 'from the future');

    // The operator an app would use.
    const rejected: string[] = [];
    const incoming = new Subject<unknown>();
    const seen: unknown[] = [];
    incoming
      .pipe(mergeLww({ clock: createHlc({ nodeId: 'app' }), onReject: (error) => rejected.push(error.code) }))
      .subscribe((s) => seen.push(s));
    incoming.next(body);
    expect(rejected).toEqual(['E_HLC_DRIFT']);
    expect(seen).toEqual([]);

    // The hub: refused with the same code, never logged.
    const raw = await wsClient(started.url);
    try {
      await raw.hello(room);
      await raw.send({ v: 1, type: 'data', data: { kind: 'ops', ops: [{ id: 'far-1', doc: 'card', type: 'lww-map', body }] } });
      await raw.waitFor(() => raw.messages('reject').length > 0, 'a reject');
      expect(raw.messages('reject')[0]?.data).toMatchObject({ ids: ['far-1'], code: 'E_HLC_DRIFT' });
      expect(await started.hub.value(room, 'card')).toBeUndefined();
    } finally {
      await raw.close();
    }

    // A room whose clock is an hour behind: an ordinary edit is far-future to it, refused and not merged.
    const behind = observer(started.url, room, () => Date.now() - HOUR);
    const writer = liveClient(started.url, 'websocket', room);
    const card = writer.client.live({ room, doc: 'card', type: 'lww-map', transport: writer.transport }) as LiveMap;
    try {
      const replica = behind.link.doc('card', 'lww-map');
      await card.set('title', 'now');
      await card.synced();
      await until(() => behind.errors.some((e) => e.code === 'E_HLC_DRIFT'), 'the drift refusal');
      expect(replica.value$.get()).toEqual({});
      expect(behind.errors.find((e) => e.code === 'E_HLC_DRIFT')?.message).toMatch(/Room "drift", document "card"/);
    } finally {
      card.close();
      writer.close();
      behind.close();
    }
  }, 30_000);
});

describe('the room link', () => {
  let started: StartedHub;
  beforeEach(async () => {
    started = await startHub();
  });
  afterEach(() => started.hub.close());

  it('reports a remote value the schema refuses, does not merge it, and merges the valid ones', async () => {
    const room = 'schema';
    const reader = observer(started.url, room);
    const replica = reader.link.doc('card', 'lww-map', {
      validate: (value) => {
        const title = (value as Record<string, unknown>)['title'];
        return typeof title === 'string' && title.length > 10 ? `title is ${title.length} characters, at most 10` : undefined;
      },
    });
    const writer = liveClient(started.url, 'websocket', room);
    const card = writer.client.live({ room, doc: 'card', type: 'lww-map', transport: writer.transport }) as LiveMap;
    try {
      await card.set('title', 'Short');
      await until(() => replica.value$.get()['title'] === 'Short', 'the valid title');
      await card.set('title', 'A title far too long');
      await card.set('done', true);
      await until(() => replica.value$.get()['done'] === true, 'the next valid edit');
      expect(replica.value$.get()).toEqual({ title: 'Short', done: true });
      const refusal = reader.errors.find((e) => e.code === 'E_SCHEMA_REJECTED');
      expect(refusal?.message).toMatch(/Room "schema", document "card".*title is 20 characters, at most 10/);
      expect(refusal?.details).toMatchObject({ room, doc: 'card' });
    } finally {
      card.close();
      writer.close();
      reader.close();
    }
  }, 30_000);

  it('resync() asks the hub for the whole room again', async () => {
    const room = 'resync';
    const raw = await wsClient(started.url);
    const reader = observer(started.url, room);
    try {
      await raw.hello(room);
      await raw.send({ v: 1, type: 'data', data: { kind: 'ops', ops: [counterOp('a'), counterOp('b'), counterOp('c')] } });
      const replica = reader.link.doc('count', 'pn-counter');
      await until(() => replica.value$.get() === 3 && reader.ops() === 3, 'three ops');
      reader.link.resync();
      await until(() => reader.ops() === 6, 'the three ops again');
      expect(replica.value$.get()).toBe(3);
      expect(reader.link.status$.get().joined).toBe(true);
    } finally {
      await raw.close();
      reader.close();
    }
  }, 30_000);
});
