import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import { liveDocuments } from '../../lib/live/liveRegistry';
import { createOutbox } from '../../lib/outbox/outbox';
import { createClient } from '../../lib/query/client';
import { memoryStorage } from '../../lib/storage/memoryStorage';
import { fallback } from '../../transports/fallback';
import { sse } from '../../transports/sse';
import { webSocket, type WebSocketConstructor } from '../../transports/webSocket';
import { createHub, memoryLog, type Hub } from '../../server/index';
import { freePort } from '../transports/support/wait';
import { canonical, liveClient, until } from './support/liveClients';

describe('a live document over fallback()', () => {
  let hub: Hub;
  let base: string;

  beforeAll(async () => {
    hub = createHub({ log: memoryLog() });
    base = (await hub.listen(0, '127.0.0.1')).url;
  });

  afterAll(() => hub.close());

  it('syncs through SSE when the WebSocket endpoint is unreachable, and edits still reach a WebSocket peer', async () => {
    const room = 'fallback';
    const hello = { room };
    const reconnect = { initialDelay: 20, maxDelay: 200 };
    const dead = `ws://127.0.0.1:${await freePort()}/ws`;
    const transport = fallback([
      webSocket(dead, { WebSocket: WebSocket as unknown as WebSocketConstructor, hello, reconnect }),
      sse(`${base}/sse`, { postUrl: `${base}/send`, EventSource, hello, reconnect }),
    ]);
    const outbox = createOutbox({ storage: memoryStorage() });
    const client = createClient({ outbox, live: liveDocuments });
    const doc = client.live({ room, doc: 'board', type: 'lww-map', transport });
    const peer = liveClient(base, 'websocket', room);
    const peerDoc = peer.client.live({ room, doc: 'board', type: 'lww-map', transport: peer.transport });
    try {
      for (let i = 0; i < 20; i++) await doc.set(`f${i}`, i);
      await peerDoc.set('from-peer', true);
      await Promise.all([doc.synced(), peerDoc.synced()]);
      await until(() => canonical(doc.get()) === canonical(peerDoc.get()) && Object.keys(doc.get()).length === 21, 'both sides converge');
      expect(canonical((await hub.value(room, 'board'))?.value)).toBe(canonical(doc.get()));
    } finally {
      doc.close();
      peerDoc.close();
      outbox.close();
      peer.close();
    }
  });
});
