/// <reference types="node" />
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RxSyncError } from '../lib/errors.js';
import type { DocType } from '../lib/crdt/docTypes.js';
import { createMetrics, METRICS_CONTENT_TYPE, type Metrics } from '../lib/metrics/index.js';
import { answer } from './httpBody.js';
import { setDocKindLoader } from './docKindLoader.js';
import { createHubCore } from './hubCore.js';
import { importYjsKind } from './yjsKindImport.js';
import type { HubOptions } from './hubOptions.js';
import { processMetrics } from './processMetrics.js';
import { servePoll } from './pollEndpoint.js';
import { servePost } from './postEndpoint.js';
import { serveSse } from './sseEndpoint.js';
import { createWsEndpoint } from './wsEndpoint.js';
import { checkOptions } from '../lib/options/checkOptions.js';
import { hubOptionSpec } from './hubOptionSpec.js';
import { serveHealth } from './healthEndpoint.js';
import { drainHub } from './drain.js';
import { defaultLogger } from './logger.js';

export type { HubOptions } from './hubOptions.js';

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
  const registry = options.metrics ?? createMetrics();
  const logger = options.logger ?? defaultLogger();
  // Optional document types (Yjs) load lazily, on the first room that holds one.
  setDocKindLoader(importYjsKind);
  const core = createHubCore({ ...options, metrics: registry, logger });
  const { endpoints, metrics, reportError } = core;
  const { limits } = endpoints;
  const processGauges = processMetrics(registry);
  const bus = options.bus;
  let drained: Promise<void> | undefined;
  let closed: Promise<void> | undefined;

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
        serveHealth(response, url.pathname === '/healthz' ? 'live' : core.readiness());
      } else if (request.method === 'GET' && url.pathname === '/sse' && core.shuttingDown) {
        answer(response, 503, { code: core.shutdownCode(), message: 'The hub is shutting down' });
      } else if (request.method === 'GET' && url.pathname === '/sse') serveSse(endpoints, request, response, url.searchParams);
      else if (request.method === 'POST' && url.pathname === '/send') servePost(endpoints, request, response, url.searchParams).catch(fail);
      else if (request.method === 'GET' && url.pathname === '/poll') servePoll(endpoints, request, response, url.searchParams).catch(fail);
      else if (request.method === 'GET' && url.pathname === '/metrics') {
        processGauges.sample();
        core.recountOutbound();
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
    if (core.shuttingDown) socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
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
    value: (room, doc) => core.value(room, doc),
    head: (room) => core.head(room),
    close,
    drain({ deadline = 10_000 } = {}) {
      if (drained === undefined) {
        core.startDrain();
        drained = drainHub(
          {
            logger,
            now: core.now,
            sessions: core.sessions,
            roomsSettled: () => core.roomsSettled(),
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
    closed = (async () => {
      core.endSessions();
      ws.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      processGauges.stop();
      await core.release();
      logger.info({}, 'closed');
    })();
    return closed;
  }
}
