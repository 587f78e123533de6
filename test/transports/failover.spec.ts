// Clients given several hub URLs: two real hubs over one shared op log (room seqs are the same on
// both), real clients with live documents and outboxes; hub A goes away and the client moves to B.
import { EventSource } from 'eventsource';
import WebSocket, { WebSocketServer } from 'ws';
import type { LiveMap } from '../../lib/live/index';
import { createHub, memoryLog, type Hub, type OpLog } from '../../server/index';
import { createOutbox, type Outbox } from '../../lib/outbox/outbox';
import { createClient } from '../../lib/query/client';
import { liveDocuments } from '../../lib/live/liveRegistry';
import { memoryStorage } from '../../lib/storage/memoryStorage';
import type { TransportOptions } from '../../transports/createTransport';
import type { FetchLike } from '../../transports/fetchLike';
import { polling } from '../../transports/polling';
import { sse } from '../../transports/sse';
import type { Transport } from '../../transports/transport';
import { webSocket, type WebSocketConstructor } from '../../transports/webSocket';
import { liveClient, until, type LiveClient, type Via } from '../e2e/support/liveClients';
import { quietLogger } from '../server/fixtures/hubFixture';
import { dataFrame, errorFrame } from '../../lib/protocol/frames';
import { createTestServer } from './support/testServer';
import { freePort } from './support/wait';

/** The shared log as each hub sees it: closing one hub must not close it for the other. */
function keptOpen(log: OpLog): OpLog {
  return {
    append: (room, ops) => log.append(room, ops),
    read: (room, after, limit) => log.read(room, after, limit),
    head: (room) => log.head(room),
    snapshot: (room) => log.snapshot(room),
    saveSnapshot: (room, snapshot) => log.saveSnapshot(room, snapshot),
    close: () => Promise.resolve(),
  };
}

interface StartedHub {
  hub: Hub;
  base: string;
}

async function startHub(log: OpLog): Promise<StartedHub> {
  const hub = createHub({ log: keptOpen(log), logger: quietLogger });
  return { hub, base: (await hub.listen(0, '127.0.0.1')).url };
}

/** A hello the client sent: to which URL, resuming from which seq. */
interface SentHello {
  readonly url: string;
  readonly lastSeq: number;
}

function helloIn(url: string, text: string, hellos: SentHello[]): void {
  for (const line of text.split('\n')) {
    try {
      const frame = JSON.parse(line) as { type?: string; lastSeq?: number };
      if (frame.type === 'hello') hellos.push({ url, lastSeq: frame.lastSeq as number });
    } catch {
      // not a frame
    }
  }
}

/** `ws`, recording every hello sent on its sockets. */
function recordingWebSocket(hellos: SentHello[]): WebSocketConstructor {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      const send = this.send.bind(this);
      this.send = ((data: string) => {
        helloIn(url, data, hellos);
        send(data);
      }) as typeof this.send;
    }
  } as unknown as WebSocketConstructor;
}

/** `fetch`, recording every hello POSTed. */
function recordingFetch(hellos: SentHello[]): FetchLike {
  return (url, init) => {
    if (init?.method === 'POST' && typeof init.body === 'string') helloIn(url.split('?')[0] as string, init.body, hellos);
    return fetch(url, init as RequestInit);
  };
}

/** The transport under test on a list of hubs (each a base `http://host:port`), recording its hellos. */
function hubsTransport(via: Via, bases: readonly string[], room: string, hellos: SentHello[], extra: TransportOptions = {}): Transport {
  const common = { hello: { room }, reconnect: { initialDelay: 20, maxDelay: 300 }, ...extra };
  switch (via) {
    case 'websocket':
      return webSocket(
        bases.map((base) => `${base.replace(/^http/, 'ws')}/ws`),
        { WebSocket: recordingWebSocket(hellos), ...common },
      );
    case 'sse':
      return sse(
        bases.map((base) => `${base}/sse`),
        { postUrl: bases.map((base) => `${base}/send`), EventSource, fetch: recordingFetch(hellos), ...common },
      );
    case 'polling':
      return polling(
        bases.map((base) => `${base}/poll`),
        { postUrl: bases.map((base) => `${base}/send`), interval: 30, fetch: recordingFetch(hellos), ...common },
      );
  }
}

/** The client under test: a live map on the hub list, every op message it receives counted by id. */
interface Roamer {
  readonly transport: Transport;
  readonly outbox: Outbox;
  readonly doc: LiveMap;
  readonly hellos: SentHello[];
  readonly received: Map<string, number>;
  close(): void;
}

function roamer(via: Via, bases: readonly string[], room: string, extra: TransportOptions = {}): Roamer {
  const hellos: SentHello[] = [];
  const transport = hubsTransport(via, bases, room, hellos, extra);
  const outbox = createOutbox({ storage: memoryStorage(), retry: { initialDelay: 20, maxDelay: 200 } });
  const client = createClient({ outbox, live: liveDocuments });
  const received = new Map<string, number>();
  const spy = transport.messages$.subscribe((m) => {
    const message = m as { kind?: string; op?: { id: string } };
    if (message.kind === 'op' && message.op) received.set(message.op.id, (received.get(message.op.id) ?? 0) + 1);
  });
  const doc = client.live({ room, doc: 'notes', type: 'lww-map', transport }) as LiveMap;
  return {
    transport,
    outbox,
    doc,
    hellos,
    received,
    close: () => {
      doc.close();
      spy.unsubscribe();
      outbox.close();
    },
  };
}

function currentUrl(transport: Transport): string | undefined {
  let url: string | undefined;
  transport.status$.subscribe((status) => (url = status.url)).unsubscribe();
  return url;
}

const joined = (r: Roamer): boolean => r.doc.status$.get().joined;
const holds = (doc: LiveMap, keys: readonly string[]): boolean => keys.every((key) => key in doc.get());

describe.each<Via>(['websocket', 'sse', 'polling'])('a %s client on two hubs', (via) => {
  let shared: OpLog;
  let a: StartedHub;
  let b: StartedHub;
  const others: LiveClient[] = [];

  beforeEach(async () => {
    shared = memoryLog();
    a = await startHub(shared);
    b = await startHub(shared);
  });

  afterEach(async () => {
    for (const other of others.splice(0)) other.close();
    await Promise.all([a.hub.close(), b.hub.close()]);
    await shared.close();
  });

  it('moves to hub B when hub A closes, resumes from its last seq, gets every op once and B acks its queued ops', async () => {
    const room = `failover-${via}`;
    const r = roamer(via, [a.base, b.base], room);
    try {
      await until(() => joined(r), 'joined on A');
      expect(currentUrl(r.transport)).toContain(a.base.replace(/^http:\/\//, ''));

      const onA = liveClient(a.base, 'websocket', room);
      others.push(onA);
      const writerA = onA.client.live({ room, doc: 'notes', type: 'lww-map', transport: onA.transport }) as LiveMap;
      const fromA = ['a0', 'a1', 'a2', 'a3', 'a4'];
      for (const key of fromA) await writerA.set(key, key);
      await until(() => holds(r.doc, fromA), 'the ops written on A arrived');
      const lastSeqOnA = r.transport.cursor.lastSeq;
      expect(lastSeqOnA).toBe(await a.hub.head(room));
      writerA.close();

      // A ends every session at once; what the client writes now can only be acked by B.
      const closing = a.hub.close();
      const queued = ['r0', 'r1', 'r2'];
      for (const key of queued) void r.doc.set(key, key);
      await closing;

      // Ops written on B while the client moves over.
      const onB = liveClient(b.base, 'websocket', room);
      others.push(onB);
      const writerB = onB.client.live({ room, doc: 'notes', type: 'lww-map', transport: onB.transport }) as LiveMap;
      const fromB = ['b0', 'b1', 'b2', 'b3', 'b4'];
      for (const key of fromB) await writerB.set(key, key);

      await until(() => joined(r) && holds(r.doc, [...fromA, ...queued, ...fromB]), 'every op arrived after the move');
      await r.outbox.drained();
      writerB.close();

      const head = await b.hub.head(room);
      expect(head).toBe(fromA.length + queued.length + fromB.length);
      const onHub = (await b.hub.value(room, 'notes'))?.value as Record<string, string>;
      for (const key of queued) expect(onHub[key]).toBe(key);
      expect(currentUrl(r.transport)).toContain(b.base.replace(/^http:\/\//, ''));
      // Resumed on B from where A left off, and every op of the room arrived exactly once.
      const hellosToB = r.hellos.filter((hello) => hello.url.startsWith(b.base.replace(/^http/, via === 'websocket' ? 'ws' : 'http')));
      expect(hellosToB[0]?.lastSeq).toBe(lastSeqOnA);
      expect([...r.received.values()].filter((count) => count > 1)).toEqual([]);
      expect(r.received.size).toBe(head);
      expect(r.transport.cursor.lastSeq).toBe(head);
    } finally {
      r.close();
    }
  });

  it('connects to the second hub when the first is dead from the start', async () => {
    const room = `dead-first-${via}`;
    const dead = `http://127.0.0.1:${await freePort()}`;
    const r = roamer(via, [dead, b.base], room);
    try {
      await until(() => joined(r), 'joined on B');
      expect(currentUrl(r.transport)).toContain(b.base.replace(/^http:\/\//, ''));
      await r.doc.set('k', 'v');
      await r.outbox.drained();
      expect(((await b.hub.value(room, 'notes'))?.value as Record<string, string>)['k']).toBe('v');
    } finally {
      r.close();
    }
  });
});

describe.each<Via>(['websocket', 'sse'])('a %s client on two hubs when hub A drains', (via) => {
  let shared: OpLog;
  let a: StartedHub;
  let b: StartedHub;

  beforeEach(async () => {
    shared = memoryLog();
    a = await startHub(shared);
    b = await startHub(shared);
  });

  afterEach(async () => {
    await Promise.all([a.hub.close(), b.hub.close()]);
    await shared.close();
  });

  it('moves to hub B at once, even with an hour of backoff configured', async () => {
    const room = `drain-${via}`;
    const hour = 3_600_000;
    const r = roamer(via, [a.base, b.base], room, { reconnect: { initialDelay: hour, maxDelay: hour } });
    try {
      await until(() => joined(r), 'joined on A');
      await r.doc.set('before', 1);
      await r.outbox.drained();
      await a.hub.drain({ deadline: 5000 });
      // The guard of `until` is seconds; the backoff an hour: arriving on B means it did not wait.
      await until(() => joined(r) && (currentUrl(r.transport) ?? '').includes(b.base.replace(/^http:\/\//, '')), 'joined on B');
      await r.doc.set('after', 2);
      await r.outbox.drained();
      expect((await b.hub.value(room, 'notes'))?.value).toEqual({ before: 1, after: 2 });
    } finally {
      r.close();
    }
  });
});

// The hub ends a polling session at a drain without a frame the session can still poll (the
// session is gone once the hub closes): what a polling client does with the notice is shown
// against two protocol test servers that deliver it in a poll.
describe('a polling client told by its server in a poll that the server drains', () => {
  it('moves to the next server at once, even with an hour of backoff configured, resuming where it was', async () => {
    const [first, second] = await Promise.all([createTestServer(), createTestServer()]);
    const hour = 3_600_000;
    const transport = polling([first.urls.poll, second.urls.poll], {
      postUrl: [first.urls.post, second.urls.post],
      interval: 20,
      reconnect: { initialDelay: hour, maxDelay: hour },
    });
    const seen: unknown[] = [];
    const subscription = transport.messages$.subscribe((message) => seen.push(message));
    try {
      first.publish('one');
      await until(() => seen.length === 1, 'the first message from the first server');
      // Both servers hold the same sequence, as hubs sharing one log do.
      second.publish('one');
      second.publish('two');
      first.injectRaw(JSON.stringify(errorFrame('E_HUB_DRAINING', 'The hub is restarting: reconnect')));
      await until(() => seen.length === 2, 'the second message, from the second server');
      expect(seen).toEqual(['one', 'two']);
      expect(currentUrl(transport)).toBe(second.urls.poll);
    } finally {
      subscription.unsubscribe();
      await Promise.all([first.close(), second.close()]);
    }
  });
});

// A server that closes with 1012 (Service Restart) without the hub's error frame first, as a proxy
// in front of the hubs may: the close code alone sends the client on at once.
describe('a WebSocket client whose server closes with 1012 and nothing else', () => {
  it('moves to the next server at once, even with an hour of backoff configured', async () => {
    const servers = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<WebSocketServer>((resolve) => {
            const server: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => resolve(server));
          }),
      ),
    );
    const [restarting, ready] = servers as [WebSocketServer, WebSocketServer];
    restarting.on('connection', (socket) => {
      socket.send(JSON.stringify(dataFrame('one', 1)));
      setTimeout(() => socket.close(1012, 'restart'), 20);
    });
    ready.on('connection', (socket) => socket.send(JSON.stringify(dataFrame('two', 2))));
    const urls = servers.map((server) => `ws://127.0.0.1:${(server.address() as { port: number }).port}`);
    const hour = 3_600_000;
    const transport = webSocket(urls, {
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      reconnect: { initialDelay: hour, maxDelay: hour },
    });
    const seen: unknown[] = [];
    const errors: unknown[] = [];
    const statuses = transport.status$.subscribe((status) => errors.push(status.error));
    const subscription = transport.messages$.subscribe((message) => seen.push(message));
    try {
      await until(() => seen.length === 2, 'a message from each server');
      expect(seen).toEqual(['one', 'two']);
      expect(currentUrl(transport)).toBe(urls[1]);
      expect(errors).toContainEqual(expect.objectContaining({ code: 'E_HUB_DRAINING' }));
    } finally {
      statuses.unsubscribe();
      subscription.unsubscribe();
      for (const server of servers) {
        for (const client of server.clients) client.terminate();
        await new Promise((resolve) => server.close(resolve));
      }
    }
  });
});

describe('the first hub of a list', () => {
  const urls = ['ws://127.0.0.1:1/ws', 'ws://127.0.0.1:2/ws', 'ws://127.0.0.1:3/ws'];
  const options = { WebSocket: WebSocket as unknown as WebSocketConstructor };

  afterEach(() => jest.restoreAllMocks());

  it('is the first URL by default, and a random one with pick: random', () => {
    expect(currentUrl(webSocket(urls, options))).toBe(urls[0]);
    jest.spyOn(Math, 'random').mockReturnValue(0.7);
    expect(currentUrl(webSocket(urls, { ...options, pick: 'random' }))).toBe(urls[2]);
    expect(currentUrl(webSocket(urls, { ...options, pick: 'first' }))).toBe(urls[0]);
  });
});
