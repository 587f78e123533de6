// A WebSocket proxy in front of a real hub that counts the `op`s each client connection carries to
// the hub, can hold the hub's acks back, and can cut connections (the client then reconnects).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

export interface CountingProxy {
  /** The proxy's base URL (`ws://127.0.0.1:<port>`); clients connect to `${url}/ws`. */
  readonly url: string;
  /** Op ids the hub received, per client connection (1, 2, … in the order they opened). */
  readonly opsByConnection: Map<number, string[]>;
  /** While true, `ack` messages from the hub are dropped (as if lost with the connection). */
  holdAcks: boolean;
  /** Closes every current connection abruptly. */
  cut(): void;
  close(): Promise<void>;
}

export async function countingProxy(hubUrl: string): Promise<CountingProxy> {
  const server: Server = createServer();
  const wss = new WebSocketServer({ server, path: '/ws' });
  const opsByConnection = new Map<number, string[]>();
  const sockets = new Set<WebSocket>();
  let connections = 0;
  const proxy: CountingProxy = {
    url: '',
    opsByConnection,
    holdAcks: false,
    cut: () => sockets.forEach((socket) => socket.terminate()),
    close: async () => {
      proxy.cut();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  wss.on('connection', (client) => {
    const connection = ++connections;
    opsByConnection.set(connection, []);
    const upstream = new WebSocket(`${hubUrl.replace(/^http/, 'ws')}/ws`);
    const early: WebSocket.RawData[] = [];
    sockets.add(client);
    sockets.add(upstream);
    client.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type?: string; data?: { kind?: string; ops?: { id: string }[] } };
      if (frame.type === 'data' && frame.data?.kind === 'ops')
        opsByConnection.get(connection)?.push(...(frame.data.ops ?? []).map((op) => op.id));
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data.toString());
      else early.push(data);
    });
    upstream.on('open', () => early.splice(0).forEach((data) => upstream.send(data.toString())));
    upstream.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { data?: { kind?: string } };
      if (proxy.holdAcks && frame.data?.kind === 'ack') return;
      if (client.readyState === WebSocket.OPEN) client.send(data.toString());
    });
    const end = (): void => {
      sockets.delete(client);
      sockets.delete(upstream);
      client.terminate();
      upstream.terminate();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (proxy as { url: string }).url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
