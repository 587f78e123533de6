import { RxSyncError, isRxSyncError } from '../lib/errors.js';
import type { DocType } from '../lib/crdt/docTypes.js';
import type { Metrics } from '../lib/metrics/index.js';
import type { HelloFrame } from '../lib/protocol/frames.js';
import type { ClientMessage } from '../lib/protocol/hubMessages.js';
import { decide } from './auth.js';
import { lacksDocKind, loadDocKinds } from './docKindLoader.js';
import { backgroundTimer } from './backgroundTimer.js';
import { applyGrant, refreshSession, refusalCode } from './sessionGrant.js';
import type { EndpointHost } from './endpointHost.js';
import { hubMetrics, type HubMetrics } from './hubMetrics.js';
import type { HubOptions } from './hubOptions.js';
import { InboundGate } from './inboundGate.js';
import { OutboundBudget } from './outboundBudget.js';
import { resolveLimits, type ResolvedLimits } from './limits.js';
import type { Link } from './link.js';
import type { HubLogger } from './logger.js';
import type { RoomHost } from './roomHost.js';
import { RoomRegistry } from './roomRegistry.js';
import { HubSession, type SessionHost } from './session.js';
import { logSessionEnd } from './sessionEndLog.js';
import { PING_WIRE } from './wire.js';
import { withinHelloDeadline } from './helloDeadline.js';
import { LogHealth } from './logHealth.js';

/** What {@link createHubCore} takes: the hub's options, with the metrics registry and the logger chosen. */
export type HubCoreOptions = Omit<HubOptions, 'metrics' | 'logger'> & { readonly metrics: Metrics; readonly logger: HubLogger };

/**
 * The hub without any network: sessions, authentication, rooms (validation, sequence, acks,
 * presence), the op log and the bus. Endpoints hand it connections as {@link Link}s through
 * `endpoints.open`. `createHub` serves it over `node:http`; `rxsync/testing` serves it in memory,
 * which is why nothing here may need Node.
 */
export interface HubCore {
  readonly endpoints: EndpointHost;
  readonly metrics: HubMetrics;
  readonly sessions: ReadonlySet<HubSession>;
  readonly logger: HubLogger;
  now(): number;
  reportError(error: unknown): void;
  /** Whether the hub is closing or draining (new connections are refused). */
  readonly shuttingDown: boolean;
  /** The error code new connections are refused with while shutting down. */
  shutdownCode(): string;
  /** `/readyz`: ready, draining, or the log failing. */
  readiness(): 'ready' | 'draining' | 'log-failing';
  /** Refuses new connections and new ops from now on (a drain), keeping those in flight. */
  startDrain(): void;
  /** Re-counts the unsent bytes of every connection (before `/metrics` is read). */
  recountOutbound(): void;
  /** Resolves once loads in progress ended and every room's queued ops are written. */
  roomsSettled(): Promise<void>;
  value(room: string, doc: string): Promise<{ type: DocType; value: unknown } | undefined>;
  head(room: string): Promise<number>;
  /** Refuses new connections and ends every session (`E_HUB_CLOSED`). */
  endSessions(): void;
  /** After {@link endSessions}: unloads the rooms (finishing their writes), stops the timers, closes the bus and the log. */
  release(): Promise<void>;
}

/** Builds the network-free part of the hub. */
export function createHubCore(options: HubCoreOptions): HubCore {
  if (options.log === undefined) {
    throw new RxSyncError('E_OPTION_INVALID', 'The hub needs a `log`: await openSqliteLog({ path }) (or memoryLog() in tests)');
  }

  const limits: ResolvedLimits = resolveLimits(options.limits);
  const presenceTimeout = options.presenceTimeout ?? 30_000;
  const refreshBefore = options.refreshBefore ?? 60_000;
  const bus = options.bus;
  const presenceTtl = options.presenceTtl ?? 15_000;
  const metrics: HubMetrics = hubMetrics(options.metrics);
  const outbound = new OutboundBudget(limits.outboundBytes, metrics);
  const inbound = new InboundGate(limits.inboundBytes, metrics);
  const now = (): number => performance.now();
  const logger = options.logger;
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
  let sweeper: ReturnType<typeof setInterval> | undefined;
  let closing = false;
  let draining = false;
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
      await room.join(session, frame.lastSeq, frame.snapshot !== false);
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
    else if (message.kind === 'snapshot') {
      inbound.release(bytes);
      if (session.readOnly) session.error('E_READ_ONLY', 'This token may only read this room');
      else room.receiveSnapshot(session, message);
    } else if (session.readOnly) {
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
        sweeper = backgroundTimer(setInterval(sweep, Math.max(10, Math.min(presenceTimeout, limits.helloTimeout) / 4)));
      }
      return session;
    },
    byCid: (cid) => cids.get(cid),
    roomOf: (session) => (session.room === undefined ? undefined : rooms.get(session.room)),
  };

  /** With a bus: re-announce presence and expire silent hubs' peers; probe each room's head in the log. */
  function startClusterTimers(): ReturnType<typeof setInterval>[] {
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
    return [backgroundTimer(presence), backgroundTimer(probe)];
  }

  return {
    endpoints,
    metrics,
    sessions,
    logger,
    now,
    reportError,
    get shuttingDown() {
      return closing || draining;
    },
    shutdownCode,
    readiness() {
      if (closing || draining) return 'draining';
      return logHealth.failing ? 'log-failing' : 'ready';
    },
    startDrain() {
      draining = true;
    },
    roomsSettled: () => rooms.settled(),
    recountOutbound: () => outbound.recount(),
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
    endSessions() {
      closing = true;
      for (const session of [...sessions]) session.fail('E_HUB_CLOSED', 'The hub is shutting down');
    },
    async release() {
      closing = true;
      await rooms.close();
      if (sweeper !== undefined) clearInterval(sweeper);
      for (const timer of clusterTimers) clearInterval(timer);
      await bus?.close().catch(reportError);
      await log.close();
    },
  };
}
