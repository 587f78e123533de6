// A tiny round-robin TCP proxy (node:net), the stand-in for a load balancer in front of the hubs.
// Each new connection goes to the next target; a target that refuses the connection (a hub that is
// down) is skipped for the next one, so new connections land on the hubs that are up. It knows
// nothing of HTTP: it cannot keep a client's requests on one hub (no session affinity), which is
// fine for WebSocket (one connection per session) and not for SSE or polling (see README.md).
//
//   import { roundRobinProxy } from './proxy.mjs';
//   const proxy = await roundRobinProxy([{ host: '127.0.0.1', port: 8791 }, …], { port: 8790 });
//   proxy.port; proxy.connections(); await proxy.close();
import { connect, createServer } from 'node:net';

/**
 * Starts the proxy.
 * @param {ReadonlyArray<{ host: string, port: number }>} targets where connections go, in turn
 * @param {{ port?: number, host?: string, connectTimeout?: number, onRoute?: (target: { host: string, port: number } | undefined) => void }} [options]
 *   `port` 0 (default) picks a free one; `connectTimeout` (ms, default 1000) before a target counts
 *   as down; `onRoute` hears where each connection went (`undefined`: every target was down).
 * @returns {Promise<{ port: number, connections(): number, close(): Promise<void> }>} `connections()`: client
 *   connections open now
 */
export async function roundRobinProxy(targets, { port = 0, host = '127.0.0.1', connectTimeout = 1000, onRoute } = {}) {
  if (targets.length === 0) throw new Error('roundRobinProxy needs at least one target');
  let next = 0;
  const open = new Set(); // every socket, both sides, closed by close()
  let clients = 0;

  /** Connects to the targets in turn from the next one, until one accepts or all refused. */
  function dial(client, tried) {
    if (tried === targets.length) {
      onRoute?.(undefined);
      client.destroy();
      return;
    }
    const target = targets[next];
    next = (next + 1) % targets.length;
    const upstream = connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => upstream.destroy(new Error('connect timeout')), connectTimeout);
    upstream.once('connect', () => {
      clearTimeout(timer);
      if (client.destroyed) return void upstream.destroy();
      onRoute?.(target);
      open.add(upstream);
      upstream.once('close', () => open.delete(upstream));
      // Either side closing or failing ends both: the client then reconnects through the proxy.
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
      client.once('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.once('error', () => {
      clearTimeout(timer);
      if (!upstream.connecting && open.has(upstream)) return;
      if (!client.destroyed) dial(client, tried + 1);
    });
  }

  const server = createServer({ pauseOnConnect: true }, (client) => {
    open.add(client);
    clients++;
    client.once('close', () => {
      open.delete(client);
      clients--;
    });
    client.on('error', () => client.destroy());
    dial(client, 0);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  return {
    port: server.address().port,
    connections: () => clients,
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve(undefined));
      }),
  };
}
