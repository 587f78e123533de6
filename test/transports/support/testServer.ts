// A real test server on 127.0.0.1 speaking protocol v1 over WebSocket (`ws`), SSE (+ POST) and
// polling, with a sequenced log so clients can resume. Test support only; the production hub is
// written separately. Every state change emits 'change' so tests wait on events, not sleeps.
import { EventEmitter } from 'node:events';
import { waitForChange } from './wait.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Subject, type Observable, type Subscription } from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';
import { dataFrame, errorFrame, pongFrame, type Frame } from '../../../lib/protocol/frames.js';
import { jsonCodec } from '../../../lib/protocol/jsonCodec.js';
import { parseFrame } from '../../../lib/protocol/parseFrame.js';

/** One client connection as a duplex of application payloads (what `serveRpc` needs). */
export interface ServerDuplex {
  readonly id: string;
  readonly kind: SessionKind;
  readonly messages$: Observable<unknown>;
  send(data: unknown): void;
}

export type SessionKind = 'ws' | 'sse' | 'poll';

interface Session extends ServerDuplex {
  live: boolean;
  frozen: boolean;
  readonly incoming: Subject<unknown>;
  write(wire: string, seq?: number): void;
  close(hard: boolean): void;
}

export interface TestServer {
  readonly port: number;
  readonly urls: { ws: string; sse: string; post: string; poll: string };
  /** 'change' after every connect, disconnect, received payload or rejected frame. */
  readonly events: EventEmitter;
  /** Payloads clients sent, in arrival order. */
  readonly received: unknown[];
  /** Frames rejected as invalid (with the reason), in arrival order. */
  readonly rejected: string[];
  /** `Date.now()` of every connection start (WebSocket upgrade, SSE stream, first poll of a session). */
  readonly connectionTimes: number[];
  /** Total connections ever, and currently open, per kind. */
  opened(kind?: SessionKind): number;
  live(kind?: SessionKind): number;
  head(): number;
  publish(data: unknown): number;
  onConnection(handler: (duplex: ServerDuplex) => void): void;
  injectRaw(raw: string): void;
  freeze(): void;
  dropAll(): void;
  setEnabled(kind: SessionKind, enabled: boolean): void;
  listenWs(port: number): Promise<void>;
  waitFor(condition: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  port?: number;
  /** Most sequenced frames per poll response. */
  pollBatch?: number;
  /** A poll session with no request for this long counts as disconnected. */
  pollExpiry?: number;
  /** Resume this many messages earlier than asked (an at-least-once server): clients must dedupe. */
  resendOverlap?: number;
}

const encode = (frame: Frame): string => jsonCodec.encode(frame);

export async function createTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const log: string[] = []; // log[i] is the encoded frame with seq i + 1
  const sessions = new Map<string, Session>();
  const received: unknown[] = [];
  const rejected: string[] = [];
  const connectionTimes: number[] = [];
  const openedCount: Record<SessionKind, number> = { ws: 0, sse: 0, poll: 0 };
  const enabled: Record<SessionKind, boolean> = { ws: true, sse: true, poll: true };
  const connectionHandlers: Array<(duplex: ServerDuplex) => void> = [];
  const extraServers: Server[] = [];
  const pollBatch = options.pollBatch ?? 500;
  const pollExpiry = options.pollExpiry ?? 5000;
  let nextId = 0;
  const changed = (): void => void events.emit('change');

  const overlap = options.resendOverlap ?? 0;
  function replay(session: Session, since: number): void {
    for (let seq = Math.max(0, since - overlap) + 1; seq <= log.length; seq++) session.write(log[seq - 1] as string, seq);
    session.live = true;
  }

  function handleWire(session: Session, wire: string): void {
    if (session.frozen) return;
    let frame: Frame;
    try {
      frame = parseFrame(jsonCodec.decode(wire));
    } catch (error) {
      rejected.push(String(error));
      session.write(encode(errorFrame('E_FRAME_INVALID', String((error as Error).message))));
      changed();
      return;
    }
    switch (frame.type) {
      case 'hello':
        if (session.kind === 'ws') replay(session, frame.lastSeq);
        return;
      case 'data':
        received.push(frame.data);
        session.incoming.next(frame.data);
        changed();
        return;
      case 'ping':
        session.write(encode(pongFrame(frame.id)));
        return;
      case 'bye':
        session.close(false);
        return;
      default:
        return;
    }
  }

  function addSession(
    kind: SessionKind,
    write: (wire: string, seq?: number) => void,
    terminate: (hard: boolean) => void,
    id?: string,
  ): Session {
    const sessionId = id ?? `s${++nextId}`;
    const incoming = new Subject<unknown>();
    let closed = false;
    const session: Session = {
      id: sessionId,
      kind,
      live: false,
      frozen: false,
      incoming,
      messages$: incoming.asObservable(),
      write: (wire, seq) => {
        if (!closed && !session.frozen) write(wire, seq);
      },
      send: (data) => session.write(encode(dataFrame(data))),
      close: (hard) => {
        if (closed) return;
        closed = true;
        sessions.delete(sessionId);
        terminate(hard);
        incoming.complete();
        changed();
      },
    };
    sessions.set(sessionId, session);
    openedCount[kind]++;
    connectionTimes.push(Date.now());
    for (const handler of connectionHandlers) handler(session);
    changed();
    return session;
  }

  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (socket: WebSocket) => {
    const session = addSession(
      'ws',
      (wire) => socket.send(wire),
      (hard) => (hard ? socket.terminate() : socket.close()),
    );
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      handleWire(session, data.toString());
    });
    socket.on('close', () => session.close(false));
    socket.on('error', () => session.close(true));
  });

  function onUpgrade(request: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void {
    if (!enabled.ws || !(request.url ?? '').startsWith('/ws')) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  }

  function readBody(request: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => resolve(body));
      request.on('error', reject);
    });
  }

  function serveSse(request: IncomingMessage, response: ServerResponse, query: URLSearchParams): void {
    const header = request.headers['last-event-id'];
    const since = Number((typeof header === 'string' ? header : undefined) ?? query.get('lastEventId') ?? 0) || 0;
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    response.write(':open\n\n');
    const session = addSession(
      'sse',
      (wire, seq) => response.write(seq === undefined ? `data: ${wire}\n\n` : `id: ${seq}\ndata: ${wire}\n\n`),
      (hard) => (hard ? response.socket?.destroy() : response.end()),
      query.get('cid') ?? undefined,
    );
    request.on('close', () => session.close(false));
    replay(session, since);
  }

  function pollSession(cid: string): Session & { pending: string[]; expiry?: NodeJS.Timeout } {
    const existing = sessions.get(cid) as (Session & { pending: string[]; expiry?: NodeJS.Timeout }) | undefined;
    if (existing !== undefined) return existing;
    const pending: string[] = [];
    const session = addSession(
      'poll',
      (wire, seq) => {
        if (seq === undefined) pending.push(wire); // sequenced frames are read from the log per request
      },
      () => clearTimeout(holder.expiry),
      cid,
    ) as Session & { pending: string[]; expiry?: NodeJS.Timeout };
    const holder = session;
    session.pending = pending;
    return session;
  }

  function servePoll(request: IncomingMessage, response: ServerResponse, query: URLSearchParams): void {
    const cid = query.get('cid') ?? '';
    const since = Number(query.get('since') ?? 0) || 0;
    const session = pollSession(cid);
    if (session.frozen) return; // never answered: the client's request timeout must notice
    clearTimeout(session.expiry);
    session.expiry = setTimeout(() => session.close(false), pollExpiry);
    const frames: string[] = [];
    for (let seq = since + 1; seq <= log.length && frames.length < pollBatch; seq++) frames.push(log[seq - 1] as string);
    frames.push(...session.pending.splice(0));
    const etag = `"${log.length}"`;
    if (frames.length === 0 && request.headers['if-none-match'] === etag) {
      response.writeHead(304, { etag });
      response.end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain', etag });
    response.end(frames.join('\n'));
  }

  async function servePost(request: IncomingMessage, response: ServerResponse, query: URLSearchParams): Promise<void> {
    const session = sessions.get(query.get('cid') ?? '');
    const body = await readBody(request);
    if (session?.kind === 'ws') {
      response.writeHead(404).end();
      return;
    }
    if (session === undefined) {
      // The stream already closed (a frame sent just before teardown): keep the data, answer nothing.
      for (const line of body.split('\n')) {
        try {
          const frame = parseFrame(jsonCodec.decode(line));
          if (frame.type === 'data') received.push(frame.data);
        } catch {
          rejected.push(line);
        }
      }
      changed();
      response.writeHead(204).end();
      return;
    }
    if (session.frozen) return;
    for (const line of body.split('\n')) if (line !== '') handleWire(session, line);
    response.writeHead(204).end();
  }

  const http = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (request.method === 'GET' && path === '/sse') {
      if (!enabled.sse) return void response.writeHead(503).end();
      serveSse(request, response, url.searchParams);
    } else if (request.method === 'GET' && path === '/poll') {
      if (!enabled.poll) return void response.writeHead(503).end();
      servePoll(request, response, url.searchParams);
    } else if (request.method === 'POST' && path === '/send') {
      void servePost(request, response, url.searchParams).catch(() => response.destroy());
    } else {
      response.writeHead(404).end();
    }
  });
  http.on('upgrade', onUpgrade);
  await new Promise<void>((resolve) => http.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  const base = `127.0.0.1:${port}`;

  const all = (kind?: SessionKind): Session[] => [...sessions.values()].filter((s) => kind === undefined || s.kind === kind);

  return {
    port,
    urls: { ws: `ws://${base}/ws`, sse: `http://${base}/sse`, post: `http://${base}/send`, poll: `http://${base}/poll` },
    events,
    received,
    rejected,
    connectionTimes,
    opened: (kind) => (kind === undefined ? openedCount.ws + openedCount.sse + openedCount.poll : openedCount[kind]),
    live: (kind) => all(kind).length,
    head: () => log.length,
    publish(data) {
      const seq = log.length + 1;
      const wire = encode(dataFrame(data, seq));
      log.push(wire);
      for (const session of sessions.values()) if (session.live) session.write(wire, seq);
      return seq;
    },
    onConnection: (handler) => void connectionHandlers.push(handler),
    injectRaw(raw) {
      for (const session of sessions.values()) session.write(raw);
    },
    freeze() {
      for (const session of sessions.values()) session.frozen = true;
    },
    dropAll() {
      for (const session of [...sessions.values()]) session.close(true);
    },
    setEnabled(kind, on) {
      enabled[kind] = on;
      if (!on) for (const session of all(kind)) session.close(true);
    },
    async listenWs(wsPort) {
      const extra = createServer((_req, res) => res.writeHead(404).end());
      extra.on('upgrade', onUpgrade);
      extraServers.push(extra);
      await new Promise<void>((resolve) => extra.listen(wsPort, '127.0.0.1', resolve));
    },
    waitFor(condition, what, timeoutMs = 15_000) {
      // Only a guard timeout, so a broken run fails with a message instead of a jest timeout.
      return waitForChange(events, condition, what, timeoutMs);
    },
    async close() {
      for (const session of [...sessions.values()]) session.close(true);
      for (const client of wss.clients) client.terminate();
      wss.close();
      const servers = [http, ...extraServers];
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}

/** What {@link serverPerTest} gives a suite: read `server` inside tests, set `subscription` there. */
export interface ServerPerTest {
  readonly server: TestServer;
  /** The subscription a test opens on the server: unsubscribed after the test, before the server closes. */
  subscription: Subscription | undefined;
}

/** Starts a fresh test server before each test of the calling `describe` and closes it after. */
export function serverPerTest(options: TestServerOptions = {}): ServerPerTest {
  const context = {} as { server: TestServer; subscription: Subscription | undefined };
  beforeEach(async () => {
    context.server = await createTestServer(options);
    context.subscription = undefined;
  });
  afterEach(async () => {
    context.subscription?.unsubscribe();
    await context.server.close();
  });
  return context;
}
