// One harness per transport so the conformance suite runs unchanged against each of them: a client
// factory plus the server side's view (what it received, how many connections it sees).
import { EventEmitter } from 'node:events';
import { BroadcastChannel } from 'node:worker_threads';
import { EventSource } from 'eventsource';
import type { Subscription } from 'rxjs';
import WebSocket from 'ws';
import { broadcast, type BroadcastChannelConstructor } from '../../../transports/broadcast.js';
import { memoryPair } from '../../../transports/memoryPair.js';
import { polling } from '../../../transports/polling.js';
import { sse } from '../../../transports/sse.js';
import type { Transport } from '../../../transports/transport.js';
import { webSocket } from '../../../transports/webSocket.js';
import { createBroadcastPeer } from './broadcastPeer.js';
import { createTestServer } from './testServer.js';
import { waitForChange } from './wait.js';

export interface ClientOptions {
  maxBuffered?: number;
}

export interface Harness {
  /** A client transport (call once per harness). */
  client(options?: ClientOptions): Transport<unknown, unknown>;
  /** Server → every connected client, in order. */
  publish(data: unknown): void;
  /** Payloads the server received, in order. */
  received(): unknown[];
  /** Connections the server sees open now, and ever opened. */
  live(): number;
  opened(): number;
  /** Sends a raw (possibly malformed) frame to the client. */
  injectRaw(raw: string): void;
  waitFor(condition: () => boolean, what: string): Promise<void>;
  close(): Promise<void>;
}

const fastReconnect = { initialDelay: 20, maxDelay: 200 };

async function serverHarness(kind: 'websocket' | 'sse' | 'polling'): Promise<Harness> {
  const server = await createTestServer();
  return {
    client: (options = {}) => {
      const common = { reconnect: fastReconnect, ...options };
      if (kind === 'websocket') return webSocket(server.urls.ws, { WebSocket, ...common });
      if (kind === 'sse') return sse(server.urls.sse, { postUrl: server.urls.post, EventSource, ...common });
      return polling(server.urls.poll, { postUrl: server.urls.post, interval: 20, ...common });
    },
    publish: (data) => void server.publish(data),
    received: () => server.received,
    live: () => server.live(),
    opened: () => server.opened(),
    injectRaw: (raw) => server.injectRaw(raw),
    waitFor: (condition, what) => server.waitFor(condition, what),
    close: () => server.close(),
  };
}

let channelCounter = 0;

function broadcastHarness(): Harness {
  const name = `conformance-${process.pid}-${++channelCounter}`;
  const peer = createBroadcastPeer(name);
  const channels: Array<{ close(): void }> = [];
  // Track the channels the client opens so a failing test cannot leave one keeping Node alive.
  const Tracked = class extends BroadcastChannel {
    constructor(channelName: string) {
      super(channelName);
      channels.push(this);
    }
  } as unknown as BroadcastChannelConstructor;
  return {
    client: (options = {}) => broadcast(name, { BroadcastChannel: Tracked, ...options }),
    publish: (data) => void peer.publish(data),
    received: () => peer.received,
    live: () => peer.live(),
    opened: () => peer.opened(),
    injectRaw: (raw) => peer.postRaw({ from: 'peer', frame: raw }),
    waitFor: (condition, what) => waitForChange(peer.events, condition, what),
    close: async () => {
      peer.close();
      for (const channel of channels) channel.close();
    },
  };
}

function memoryHarness(): Harness {
  const events = new EventEmitter();
  const received: unknown[] = [];
  let pair: ReturnType<typeof memoryPair> | undefined;
  let live = 0;
  let opened = 0;
  const subscriptions: Subscription[] = [];
  const server = (): NonNullable<typeof pair>[1] => {
    if (pair === undefined) throw new Error('create the client first');
    return pair[1];
  };
  return {
    client: (options = {}) => {
      pair = memoryPair(options);
      const end = pair[1];
      subscriptions.push(
        end.messages$.subscribe((data) => {
          received.push(data);
          events.emit('change');
        }),
        end.status$.subscribe((status) => {
          const isOpen = status.state === 'open' ? 1 : 0;
          if (isOpen && !live) opened++;
          live = isOpen;
          events.emit('change');
        }),
      );
      return pair[0];
    },
    publish: (data) => server().send(data),
    received: () => received,
    live: () => live,
    opened: () => opened,
    injectRaw: (raw) => pair?.[0].deliverRaw(raw),
    waitFor: (condition, what) => waitForChange(events, condition, what),
    close: async () => {
      for (const subscription of subscriptions) subscription.unsubscribe();
    },
  };
}

/** Every transport the conformance suite covers. */
export const harnesses: Array<[string, () => Promise<Harness>]> = [
  ['webSocket', () => serverHarness('websocket')],
  ['sse', () => serverHarness('sse')],
  ['polling', () => serverHarness('polling')],
  ['broadcast', async () => broadcastHarness()],
  ['memoryPair', async () => memoryHarness()],
];
