/// <reference types="node" />
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { EndpointHost } from './endpointHost.js';
import type { Link } from './link.js';

/** A close that the client does not complete within this many ms is forced. */
const CLOSE_GRACE = 2000;
/** Past this many unsent bytes the close frame would wait behind them: the socket is dropped at once. */
const BACKLOG_DROP = 64 * 1024;
/** Frames go out as text; a shared `Buffer` (a broadcast) is sent as is, without a copy per socket. */
const TEXT = { binary: false } as const;

function text(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** `raw` is the upgraded TCP socket under `socket`: batches of pre-built frames are written to it directly. */
function wsLink(socket: WebSocket, raw: Duplex): Link {
  let unsent = 0;
  let waiters: (() => void)[] = [];
  const release = (): void => {
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  };
  // One shared callback, not a closure per frame: it only counts what the socket has written.
  const onSent = (): void => {
    unsent -= 1;
    if (unsent === 0) release();
  };
  socket.once('close', () => {
    unsent = 0;
    release();
  });
  return {
    transport: 'ws',
    pulls: false,
    write(wire) {
      if (socket.readyState !== socket.OPEN) return;
      unsent += 1;
      socket.send(wire, TEXT, onSent);
    },
    writeBatch(batch) {
      if (socket.readyState !== socket.OPEN) return;
      // Safe beside ws's own sends: without permessage-deflate its sender writes synchronously, so order holds.
      unsent += 1;
      raw.write(batch.webSocketFrames(), onSent);
    },
    flushed: () =>
      unsent === 0 || socket.readyState !== socket.OPEN ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve)),
    buffered: () => socket.bufferedAmount,
    end(closeCode, reason) {
      if (socket.readyState === socket.CLOSED || socket.readyState === socket.CLOSING) return;
      // A slow consumer's backlog is what it cannot read: free that memory now, it resumes by seq.
      const grace = socket.bufferedAmount > BACKLOG_DROP ? 0 : CLOSE_GRACE;
      socket.close(closeCode, reason.slice(0, 120));
      setTimeout(() => socket.terminate(), grace).unref();
    },
  };
}

/** The `/ws` endpoint: upgrades, then one session per socket; the first frame must be the hello. */
export function createWsEndpoint(host: EndpointHost): {
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Resolves once every socket open now has closed (ended sockets are cut after a grace period). */
  closed(): Promise<void>;
  close(): void;
} {
  // maxPayload: ws itself refuses a bigger frame, closing with 1009 before buffering it whole.
  // perMessageDeflate off (ws's server default, stated because batches are written pre-framed).
  const wss = new WebSocketServer({ noServer: true, maxPayload: host.limits.maxFrameBytes, perMessageDeflate: false });
  return {
    upgrade(request, socket, head) {
      const path = new URL(request.url ?? '/', 'http://hub').pathname;
      if (path !== '/ws') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        const session = host.open(wsLink(ws, socket));
        const resume = (): void => ws.resume();
        ws.on('message', (data, isBinary) => {
          // A binary frame is counted against the rate like any other before it is refused.
          if (!isBinary) void session.receive(text(data));
          else if (session.admit()) session.error('E_FRAME_INVALID', 'Binary frames are not supported');
          // Too many inbound bytes in flight hub-wide: stop reading this socket until commits catch up.
          if (host.inbound.full && !ws.isPaused) {
            ws.pause();
            host.inbound.whenOpen(resume);
          }
        });
        ws.on('close', () => session.gone());
        ws.on('error', (error: Error & { code?: string }) => {
          if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') host.metrics.rejects.inc({ code: 'E_TOO_LARGE' });
          session.gone();
        });
      });
    },
    async closed() {
      const open = [...wss.clients].filter((client) => client.readyState !== client.CLOSED);
      await Promise.all(open.map((client) => new Promise((resolve) => client.once('close', resolve))));
    },
    close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
