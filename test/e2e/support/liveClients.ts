// Builds real live-sync clients for the end-to-end tests: a client with its own outbox, talking
// to a hub over one of the three network transports.
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import { createOutbox, type Outbox } from '../../../lib/outbox/outbox';
import { createClient, type QueryClient } from '../../../lib/query/client';
import { liveDocuments } from '../../../lib/live/liveRegistry';
import type { Storage } from '../../../lib/storage/storage';
import { memoryStorage } from '../../../lib/storage/memoryStorage';
import type { Transport } from '../../../transports/transport';
import type { TransportOptions } from '../../../transports/createTransport';
import { polling } from '../../../transports/polling';
import { sse } from '../../../transports/sse';
import { webSocket, type WebSocketConstructor } from '../../../transports/webSocket';

export type Via = 'websocket' | 'sse' | 'polling';

export interface LiveClient {
  readonly via: Via;
  readonly client: QueryClient;
  readonly outbox: Outbox;
  readonly transport: Transport;
  close(): void;
}

/** Fast reconnects and a short heartbeat, so tests that drop connections finish quickly. */
const fast = { reconnect: { initialDelay: 20, maxDelay: 300 } };

export function hubTransport(
  base: string,
  via: Via,
  hello: { room: string; token?: string } | (() => { room: string; token?: string }),
  extra: TransportOptions = {},
): Transport {
  const http = base.replace(/^ws/, 'http');
  switch (via) {
    case 'websocket':
      return webSocket(`${http.replace(/^http/, 'ws')}/ws`, {
        WebSocket: WebSocket as unknown as WebSocketConstructor,
        hello,
        ...fast,
        ...extra,
      });
    case 'sse':
      return sse(`${http}/sse`, { postUrl: `${http}/send`, EventSource, hello, ...fast, ...extra });
    case 'polling':
      return polling(`${http}/poll`, { postUrl: `${http}/send`, interval: 30, hello, ...fast, ...extra });
  }
}

export function liveClient(base: string, via: Via, room: string, options: { storage?: Storage; token?: string } = {}): LiveClient {
  const outbox = createOutbox({ storage: options.storage ?? memoryStorage(), retry: { initialDelay: 20, maxDelay: 200 } });
  const client = createClient({ outbox, live: liveDocuments });
  const transport = hubTransport(base, via, options.token === undefined ? { room } : { room, token: options.token });
  return { via, client, outbox, transport, close: () => outbox.close() };
}

/** Resolves when `check()` holds; re-checked every few ms, with a guard timeout naming what was awaited. */
export async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** JSON with object keys sorted: replicas may hold the same fields in a different insertion order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
