// Real live-sync clients (createClient + live documents + outbox) for the cluster tests: each is
// given the list of every hub's URL and fails over along it, and a frame tap that counts what
// each of its connections received.
import { createOutbox } from '../../../lib/outbox/outbox';
import { createClient } from '../../../lib/query/client';
import { liveDocuments } from '../../../lib/live/liveRegistry';
import { memoryStorage } from '../../../lib/storage/memoryStorage';
import type { Storage } from '../../../lib/storage/storage';
import type { Transport } from '../../../transports/transport';
import { polling } from '../../../transports/polling';
import { sse } from '../../../transports/sse';
import { webSocket } from '../../../transports/webSocket';
import type { LiveClient, Via } from '../../e2e/support/liveClients';
import { frameTap, type FrameTap } from './frameTap';

/** Fast reconnects, so clients of a killed hub move on quickly. */
const fast = { reconnect: { initialDelay: 20, maxDelay: 300 } };

/** A live client of the cluster, with the tap on its transport's frames. */
export interface ClusterClient extends LiveClient {
  readonly tap: FrameTap;
  /** The hub URLs it was given, in the order it tries them. */
  readonly urls: readonly string[];
}

/** A transport of kind `via` over every hub in `urls` (tried in that order, failing over along the list). */
export function clusterTransport(urls: readonly string[], via: Via, hello: { room: string; token?: string }, tap: FrameTap): Transport {
  switch (via) {
    case 'websocket':
      return webSocket(
        urls.map((url) => `${url.replace(/^http/, 'ws')}/ws`),
        { WebSocket: tap.WebSocket, hello, ...fast },
      );
    case 'sse':
      return sse(
        urls.map((url) => `${url}/sse`),
        { postUrl: urls.map((url) => `${url}/send`), EventSource: tap.EventSource, fetch: tap.fetch, hello, ...fast },
      );
    case 'polling':
      return polling(
        urls.map((url) => `${url}/poll`),
        { postUrl: urls.map((url) => `${url}/send`), fetch: tap.fetch, interval: 30, hello, ...fast },
      );
  }
}

/** A client with its own outbox joined to `room` over `via`, trying the hubs in the order of `urls`. */
export function clusterClient(
  urls: readonly string[],
  via: Via,
  room: string,
  options: { storage?: Storage; token?: string } = {},
): ClusterClient {
  const tap = frameTap();
  const outbox = createOutbox({ storage: options.storage ?? memoryStorage(), retry: { initialDelay: 20, maxDelay: 200 } });
  const client = createClient({ outbox, live: liveDocuments });
  const transport = clusterTransport(urls, via, options.token === undefined ? { room } : { room, token: options.token }, tap);
  return { via, client, outbox, transport, tap, urls, close: () => outbox.close() };
}

/** Nine clients, three per transport, each starting on a different hub (their URL lists rotated). */
export function spreadClients(urls: (start: number) => string[], room: string, perTransport = 3): ClusterClient[] {
  const clients: ClusterClient[] = [];
  for (const via of ['websocket', 'sse', 'polling'] as const) {
    for (let i = 0; i < perTransport; i++) clients.push(clusterClient(urls(clients.length), via, room));
  }
  return clients;
}
