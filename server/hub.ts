/// <reference types="node" />
import { lacksDocKind, loadDocKinds } from './docKindLoader.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RxSyncError, isRxSyncError } from '../lib/errors.js';
import type { DocType } from '../lib/crdt/docTypes.js';
import { createMetrics, METRICS_CONTENT_TYPE, type Metrics } from '../lib/metrics/index.js';
import type { HelloFrame } from '../lib/protocol/frames.js';
import type { ClientMessage } from '../lib/protocol/hubMessages.js';
import { decide, type Authenticate } from './auth.js';
import { applyGrant, refreshSession, refusalCode } from './sessionGrant.js';
import type { EndpointHost } from './endpointHost.js';
import { answer } from './httpBody.js';
import type { HubBus } from './hubBus.js';
import { hubMetrics, type HubMetrics } from './hubMetrics.js';
import { InboundGate } from './inboundGate.js';
import { OutboundBudget } from './outboundBudget.js';
import { processMetrics } from './processMetrics.js';
import { resolveLimits, type HubLimits, type ResolvedLimits } from './limits.js';
import type { Link } from './link.js';
import type { OpLog } from './opLog.js';
import { servePoll } from './pollEndpoint.js';
import { servePost } from './postEndpoint.js';
import type { RoomHost } from './roomHost.js';
import { RoomRegistry } from './roomRegistry.js';
import { HubSession, type SessionHost } from './session.js';
import { serveSse } from './sseEndpoint.js';
import { createWsEndpoint } from './wsEndpoint.js';
import { PING_WIRE } from './wire.js';
import { checkOptions } from '../lib/options/checkOptions.js';
import { hubOptionSpec } from './hubOptionSpec.js';
import { serveHealth } from './healthEndpoint.js';
import { drainHub } from './drain.js';
import { withinHelloDeadline } from './helloDeadline.js';
import { defaultLogger, logSessionEnd, type HubLogger } from './logger.js';
import { LogHealth } from './logHealth.js';

/** Options of {@link createHub}. */
export interface HubOptions {
  /** Where ops are stored: `await openSqliteLog({ path })`, or `memoryLog()` in tests. The hub owns it and closes it. */
  readonly log: OpLog;
  /** Decides who may join which room (see `hmacTokens`). Default: everyone, anonymously. */
  readonly authenticate?: Authenticate;
  /** Size, rate and count limits (see {@link HubLimits} for the defaults). */
  readonly limits?: HubLimits;
  /** Ms without any frame (or poll) after which a connection is closed and leaves the room. Default 30 000. */
  readonly presenceTimeout?: number;
  /** Save a room snapshot every this many ops. Default 1000. */
  readonly snapshotEvery?: number;
  /** Which rooms are end-to-end encrypted (opaque string op bodies, no state, no snapshots). Default: names starting with `e2e:`. */
  readonly endToEnd?: (room: string) => boolean;
  /** The registry the hub's metrics go into (served at `/metrics`). Default: a new one. */
  readonly metrics?: Metrics;
  /** Ms an empty room stays in memory. Default 30 000. */
  readonly unloadAfter?: number;
  /**
   * Ms before a session's token expires (`expiresAt` from `authenticate`) at which the hub sends
   * `refresh`, asking the client for a fresh token in band; a session still on the old token at
   * its expiry is closed (4401). Default 60 000.
   */
  readonly refreshBefore?: number;
  /** Failures no client is waiting for (a log write or snapshot that failed), besides the logger. */
  readonly onError?: (error: unknown) => void;
  /**
   * Where the hub logs (errors, refusals that close a connection, drain): a pino logger or anything
   * with its `error`/`warn`/`info`/`debug(fields, message)`. Default: pino, JSON lines to stderr at `info`.
   */
  readonly logger?: HubLogger;
  /**
   * The channel to the other hubs serving the same rooms over the same (shared) `log`, when several
   * hub processes run behind a load balancer (`redisBus`, or `memoryBusNetwork().bus()` in tests).
   * The hub owns it and closes it. Without it the hub assumes it is the log's only writer.
   */
  readonly bus?: HubBus;
  /** With a bus: ms the other hubs keep this hub's peers without news from it (it re-announces them every third of it). Default 15 000. */
  readonly presenceTtl?: number;
  /** With a bus: ms between reads of each loaded room's head in the log, so an op whose bus event was lost is still caught. Default 1000. */
  readonly probeInterval?: number;
}

/** Options of {@link Hub.drain}. */
export interface DrainOptions {
  /** Ms to finish in-flight commits and close connections before the rest is cut. Default 10 000. */
  readonly deadline?: number;
}

/** A running hub. */
export interface Hub {
  /** The `node:http` server; `listen` starts it, or attach it yourself. */
  readonly server: Server;
  readonly metrics: Metrics;
  /** Starts listening (default port 8787 on 127.0.0.1). */
  listen(port?: number, host?: string): Promise<{ port: number; host: string; url: string }>;
  /** The hub's merged value of a document (`undefined` if it does not exist or the room is end-to-end). */
  value(room: string, doc: string): Promise<{ type: DocType; value: unknown } | undefined>;
  /** The room's latest sequence number. */
  head(room: string): Promise<number>;
  /** Closes every connection (close code 1001), finishes pending writes, closes the log and the server. */
  close(): Promise<void>;
  /**
   * Graceful shutdown, e.g. on SIGTERM: `/readyz` answers 503 and new connections are refused at
   * once; commits in flight finish and their acks are sent (ops arriving meanwhile are not taken:
   * their clients resend them); then every connection is closed with 1012 (`E_HUB_DRAINING`) so
   * its client reconnects elsewhere right away, and the hub closes. Past `deadline`, what is left
   * is cut as by {@link Hub.close}. Resolves once closed, or at the deadline.
   */
  drain(options?: DrainOptions): Promise<void>;
}

/**
 * The sync hub: one `node:http` server speaking protocol v1 over WebSocket (`/ws`), SSE
 * (`GET /sse` + `POST /send`) and polling (`GET /poll` + `POST /send`), with rooms of CRDT
 * documents, a durable op log, presence, auth and `/metrics`. PROTOCOL.md describes the wire.
 *
 * @example
 * ```ts
 * import { createHub, openSqliteLog, hmacTokens } from 'rxsync/server';
 * const tokens = hmacTokens({ secret: process.env.RXSYNC_HUB_SECRET! });
 * const hub = createHub({ log: await openSqliteLog({ path: 'hub.db' }), authenticate: tokens.authenticate });
 * const { url } = await hub.listen(8787);
 * ```
 */
export function createHub(options: HubOptions): Hub {
  checkOptions('createHub', options, hubOptionSpec);
  if (options === undefined || options.log === undefined) {
    throw new RxSyncError('E_OPTION_INVALID', 'createHub needs a `log`: await openSqliteLog({ path }) (or memoryLog() in tests)');
  }
  const limits: ResolvedLimits = resolveLimits(options.limits);
  const presenceTimeout = options.presenceTimeout ?? 30_000;
  const refreshBefore = options.refreshBefore ?? 60_000;
  const bus = options.bus;
  const presenceTtl = options.presenceTtl ?? 15_000;
  const registry = options.metrics ?? createMetrics();
  const metrics: HubMetrics = hubMetrics(registry);
  const processGauges = processMetrics(registry);
  const outbound = new OutboundBudget(limits.outboundBytes, metrics);
  const inbound = new InboundGate(limits.inboundBytes, metrics);
  const now = (): number => performance.now();
  const logger = options.logger ?? defaultLogger();
  const logHealth = new LogHealth(now);
  const log = logHealth.watch(options.log);
  const reportError = (error: unknown): void => {
    try {
      logger.error({ err: error }, 'hub error');
      options.onError?.(error);
    } catch {
      // A failing error handler must not take the hub down.
    }
  };

  const sessions = new Set<HubSession>();
  const cids = new Map<string, HubSession>();
  const cidOf = new Map<HubSession, string>();
  const rooms = new RoomRegistry({
    maxRooms: limits.maxRooms,
    unloadAfter: options.unloadAfter ?? 30_000,
    endToEnd: options.endToEnd ?? ((room: string) => room.startsWith('e2e:')),
    onCount: (n) => metrics.rooms.set(n),
  });
  let sweeper: NodeJS.Timeout | undefined;
  let closing = false;
  let draining = false;
  let drained: Promise<void> | undefined;
  let closed: Promise<void> | undefined;
  // Refusing new sessions: drain says reconnect elsewhere now (1012), close says the hub is gone.
  const shutdownCode = (): string => (draining ? 'E_HUB_DRAINING' : 'E_HUB_CLOSED');

  const roomHost: RoomHost = {
    log,
    metrics,
    limits,
    inbound,
    snapshotEvery: options.snapshotEvery ?? 1000,
    ...(bus === undefined ? {} : { bus }),
    presenceTtl,
    now,
    reportError,
    idle: (name) => rooms.idle(name),
  };
  rooms.host = roomHost;
  const clusterTimers = bus === undefined ? [] : startClusterTimers();

  async function hello(session: HubSession, frame: HelloFrame): Promise<void> {
    try {
      if (closing || draining) return session.fail(shutdownCode(), 'The hub is shutting down');
      if (frame.room === undefined) return session.fail('E_ROOM_INVALID', 'The hello must name a room');
      const decision = await withinHelloDeadline(
        session,
        limits.helloTimeout,
        now(),
        decide(options.authenticate, frame.token, frame.room),
      );
      if (decision === undefined || session.closed) return;
      if (!decision.ok) {
        const fallback = {
          forbidden: 'Not allowed in this room',
          unauthenticated: 'Authentication required',
          unavailable: 'Cannot authenticate now',
        };
        return session.fail(refusalCode(decision.reason), decision.message ?? fallback[decision.reason]);
      }
      session.principal = decision.principal;
      applyGrant(session, decision, refreshBefore);
      const room = await rooms.open(frame.room);
      if (session.closed) return roomHost.idle(room.name);
      if (room.sessions.size >= limits.maxConnectionsPerRoom) {
        roomHost.idle(room.name);
        return session.fail('E_ROOM_FULL', `Room ${room.name} has ${limits.maxConnectionsPerRoom} connections already`);
      }
      await room.join(session, frame.lastSeq);
      if (!session.closed) session.state = 'live';
    } catch (error) {
      const code = isRxSyncError(error) ? error.code : 'E_LOG_READ';
      if (code !== 'E_HUB_FULL') reportError(error);
      session.fail(code, isRxSyncError(error) ? error.message : 'The room could not be loaded');
    }
  }

  /** Ops of optional document types still loading: every ops message waits behind them. */
  let kindsLoading: Promise<void> | undefined;

  function handleMessage(session: HubSession, message: ClientMessage, receivedAt: number, bytes: number): void {
    const room = session.room === undefined ? undefined : rooms.get(session.room);
    if (room === undefined) return inbound.release(bytes);
    // Draining: new ops are not taken (never acked, so their client resends them after reconnecting).
    if (draining && message.kind === 'ops') return inbound.release(bytes);
    if (message.kind === 'token') void refreshSession(session, message.token, options.authenticate, refreshBefore);
    else if (message.kind === 'presence') room.setPresence(session, message.state);
    else if (session.readOnly) {
      // Joined to read: nothing is written, and the client learns why for good.
      inbound.release(bytes);
      const ids = message.ops.map((op) => op.id);
      metrics.rejects.add(ids.length, { code: 'E_READ_ONLY' });
      session.send({ kind: 'reject', ids, code: 'E_READ_ONLY', message: 'This token may only read this room' });
    } else room.receiveOps(session, message, receivedAt, bytes);
  }

  const sessionHost: SessionHost = {
    limits,
    metrics,
    outbound,
    inbound,
    now,
    hello,
    message(session: HubSession, message: ClientMessage, receivedAt: number, bytes: number) {
      // Ops of a type whose code is an optional peer (yjs) wait for it to load; later ops wait behind
      // them, so each room's ops keep their order.
      if (message.kind === 'ops' && (kindsLoading !== undefined || lacksDocKind(message.ops.map((op) => op.type)))) {
        const gate = (kindsLoading ??= loadDocKinds().finally(() => {
          if (kindsLoading === gate) kindsLoading = undefined;
        }));
        void gate.then(() => handleMessage(session, message, receivedAt, bytes));
        return;
      }
      handleMessage(session, message, receivedAt, bytes);
    },
    closed(session: HubSession) {
      outbound.forget(session);
      session.lease?.stop();
      if (!sessions.delete(session)) return;
      const cid = cidOf.get(session);
      if (cid !== undefined) {
        cidOf.delete(session);
        if (cids.get(cid) === session) cids.delete(cid);
      }
      metrics.connections.dec({ transport: session.link.transport });
      logSessionEnd(logger, session);
      if (session.room !== undefined) rooms.get(session.room)?.leave(session);
      if (sessions.size === 0 && sweeper !== undefined) {
        clearInterval(sweeper);
        sweeper = undefined;
      }
    },
  };

  // One timer for every connection: hello deadline, hub pings, presence timeout.
  function sweep(): void {
    const at = now();
    for (const session of [...sessions]) {
      if (session.room === undefined && session.state !== 'live' && at - session.openedAt > limits.helloTimeout) {
        session.fail('E_HELLO_TIMEOUT', `No hello within ${limits.helloTimeout} ms`);
      } else if ((session.state === 'live' || session.state === 'greeting') && at - session.lastInbound > presenceTimeout) {
        session.fail('E_IDLE_TIMEOUT', `Nothing received for ${presenceTimeout} ms`);
      } else if (
        session.state === 'live' &&
        !session.link.pulls &&
        at - session.lastInbound > presenceTimeout / 2 &&
        session.lastPing < session.lastInbound
      ) {
        // A quiet but healthy client answers with a pong, which counts as activity.
        session.lastPing = at;
        session.write(PING_WIRE);
      }
    }
  }

  const endpoints: EndpointHost = {
    limits,
    metrics,
    inbound,
    open(link: Link, cid?: string) {
      const session = new HubSession(link, sessionHost);
      sessions.add(session);
      if (cid !== undefined) {
        cids.set(cid, session);
        cidOf.set(session, cid);
      }
      metrics.connections.inc({ transport: link.transport });
      metrics.connectionsTotal.inc({ transport: link.transport });
      if (closing || draining) session.fail(shutdownCode(), 'The hub is shutting down');
      else if (sweeper === undefined) {
        sweeper = setInterval(sweep, Math.max(10, Math.min(presenceTimeout, limits.helloTimeout) / 4));
        sweeper.unref();
      }
      return session;
    },
    byCid: (cid) => cids.get(cid),
    roomOf: (session) => (session.room === undefined ? undefined : rooms.get(session.room)),
  };

  const ws = createWsEndpoint(endpoints);

  const route = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://hub');
    const fail = (error: unknown): void => {
      reportError(error);
      if (!response.headersSent) answer(response, 500, { code: 'E_INTERNAL', message: 'Internal error' });
      else response.destroy();
    };
    try {
      if (request.method === 'GET' && (url.pathname === '/healthz' || url.pathname === '/readyz')) {
        serveHealth(response, url.pathname === '/healthz' ? 'live' : readiness());
      } else if (request.method === 'GET' && url.pathname === '/sse' && (closing || draining)) {
        answer(response, 503, { code: shutdownCode(), message: 'The hub is shutting down' });
      } else if (request.method === 'GET' && url.pathname === '/sse') serveSse(endpoints, request, response, url.searchParams);
      else if (request.method === 'POST' && url.pathname === '/send') servePost(endpoints, request, response, url.searchParams).catch(fail);
      else if (request.method === 'GET' && url.pathname === '/poll') servePoll(endpoints, request, response, url.searchParams).catch(fail);
      else if (request.method === 'GET' && url.pathname === '/metrics') {
        processGauges.sample();
        outbound.recount();
        metrics.busConnected.set(bus?.connected === true ? 1 : 0);
        response.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' }).end(registry.render());
      } else answer(response, 404, { code: 'E_NOT_FOUND', message: `No ${request.method} ${url.pathname} here` });
    } catch (error) {
      fail(error);
    }
  };

  const server = createServer(
    {
      // Slow or half-sent requests (slowloris) are cut in seconds, not Node's minutes. Node checks
      // these on a timer: run it often enough that a timeout is applied close to when it is due.
      headersTimeout: limits.headersTimeout,
      requestTimeout: limits.requestTimeout,
      keepAliveTimeout: limits.keepAliveTimeout,
      connectionsCheckingInterval: Math.max(10, Math.min(1000, limits.headersTimeout / 4)),
    },
    route,
  );
  server.on('upgrade', (request, socket, head) => {
    if (closing || draining) socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else ws.upgrade(request, socket, head);
  });
  // A client that sends garbage instead of HTTP gets a 400 (too slow: 408), never an exception.
  server.on('clientError', (error: Error & { code?: string }, socket) => {
    const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    // Destroyed once the answer is out: a peer that never closes its side holds nothing.
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`, () => socket.destroy());
    else socket.destroy();
  });

  return {
    server,
    metrics: registry,
    listen(port = 8787, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          const url = `http://${shown}:${address.port}`;
          logger.info({ url }, 'listening');
          resolve({ port: address.port, host: address.address, url });
        });
      });
    },
    async value(room, doc) {
      const loaded = await rooms.open(room);
      try {
        await loaded.catchUp();
      } finally {
        roomHost.idle(room);
      }
      return loaded.value(doc);
    },
    async head(room) {
      const loaded = rooms.get(room);
      if (loaded === undefined) return log.head(room);
      await loaded.catchUp();
      return loaded.head;
    },
    close,
    drain({ deadline = 10_000 } = {}) {
      if (drained === undefined) {
        draining = true;
        drained = drainHub(
          {
            logger,
            now,
            sessions,
            roomsSettled: () => rooms.settled(),
            socketsClosed: () => ws.closed(),
            close,
          },
          deadline,
        );
      }
      return drained;
    },
  };

  function close(): Promise<void> {
    if (closed !== undefined) return closed;
    closing = true;
    closed = (async () => {
      for (const session of [...sessions]) session.fail('E_HUB_CLOSED', 'The hub is shutting down');
      ws.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rooms.close();
      if (sweeper !== undefined) clearInterval(sweeper);
      for (const timer of clusterTimers) clearInterval(timer);
      processGauges.stop();
      await bus?.close().catch(reportError);
      await log.close();
      logger.info({}, 'closed');
    })();
    return closed;
  }

  /** With a bus: re-announce presence and expire silent hubs' peers; probe each room's head in the log. */
  function startClusterTimers(): NodeJS.Timeout[] {
    const presence = setInterval(
      () => {
        metrics.busConnected.set(bus?.connected === true ? 1 : 0);
        for (const room of rooms.loaded()) room.presenceTick();
      },
      Math.max(10, presenceTtl / 3),
    );
    const probe = setInterval(() => {
      for (const room of rooms.loaded()) void room.catchUp();
    }, options.probeInterval ?? 1000);
    presence.unref();
    probe.unref();
    return [presence, probe];
  }

  function readiness(): 'ready' | 'draining' | 'log-failing' {
    if (closing || draining) return 'draining';
    return logHealth.failing ? 'log-failing' : 'ready';
  }
}
