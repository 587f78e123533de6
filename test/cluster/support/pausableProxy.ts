// A TCP proxy on 127.0.0.1 that a test can "unplug": while paused it cuts every open connection
// and drops new ones at once, as a database that went away would look to its clients. Put in front
// of the shared PostgreSQL so a test can take it away from the hubs without stopping it.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface PausableProxy {
  /** The port clients connect to. */
  readonly port: number;
  /** Whether connections are being cut. */
  readonly paused: boolean;
  /** Connections accepted and forwarded since the start. */
  readonly forwarded: number;
  /** Connections dropped at once because the proxy was paused. */
  readonly dropped: number;
  /** Cuts every open connection now and drops new ones until {@link resume}. */
  pause(): void;
  /** Forwards new connections again. */
  resume(): void;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (host:port) listening on a free port of 127.0.0.1. */
export async function pausableProxy(target: { host: string; port: number }): Promise<PausableProxy> {
  const open = new Set<Socket>();
  let paused = false;
  let forwarded = 0;
  let dropped = 0;
  const cut = (socket: Socket): void => {
    socket.destroy();
    open.delete(socket);
  };
  const server: Server = createServer((downstream) => {
    if (paused) {
      dropped++;
      downstream.destroy();
      return;
    }
    forwarded++;
    const upstream = connect(target);
    open.add(downstream);
    open.add(upstream);
    const end = (): void => {
      cut(downstream);
      cut(upstream);
    };
    downstream.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    get paused() {
      return paused;
    },
    get forwarded() {
      return forwarded;
    },
    get dropped() {
      return dropped;
    },
    pause() {
      paused = true;
      for (const socket of [...open]) cut(socket);
    },
    resume() {
      paused = false;
    },
    async close() {
      for (const socket of [...open]) cut(socket);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `url` with its host and port replaced by the proxy's (the rest, user and database, kept). */
export function throughProxy(url: string, proxy: PausableProxy): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(proxy.port);
  return parsed.toString();
}
