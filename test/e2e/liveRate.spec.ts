// A chatty client must not get itself closed: the hub announces its limits in the welcome and the
// room link paces and batches its sends under them.
import { parseHubMessage } from '../../lib/protocol/hubMessages';
import { scrape, startHub, type StartedHub } from '../server/fixtures/hubFixture';
import { wsClient } from '../server/fixtures/rawClients';
import type { LiveCounter } from '../../lib/live/index';
import { liveClient, until, type Via } from './support/liveClients';

describe('the welcome', () => {
  let started: StartedHub;
  afterEach(() => started.hub.close());

  it('announces the limits the hub enforces on this connection', async () => {
    started = await startHub({ limits: { messagesPerSecond: 40, messageBurst: 60, maxOpsPerMessage: 100, maxFrameBytes: 65_536 } });
    const client = await wsClient(started.url);
    try {
      await client.hello('limits');
      const welcome = parseHubMessage(client.messages('welcome')[0]?.data);
      expect(welcome).toEqual(
        expect.objectContaining({
          kind: 'welcome',
          limits: { messagesPerSecond: 40, burst: 60, opsPerMessage: 100, maxFrameBytes: 65_536 },
        }),
      );
    } finally {
      await client.close();
    }
  });
});

describe.each<Via>(['websocket', 'sse', 'polling'])('a chatty client over %s', (via) => {
  let started: StartedHub;
  beforeEach(async () => {
    started = await startHub(); // default limits: 100 messages/s, burst 200
  });
  afterEach(() => started.hub.close());

  it('makes 1,000 edits, each in its own macrotask, without being rate-limited; all are acked', async () => {
    const room = `chatty-${via}`;
    const live = liveClient(started.url, via, room);
    const counter = live.client.live({ room, doc: 'count', type: 'pn-counter', transport: live.transport }) as LiveCounter;
    const connections = new Set<number>();
    const sub = live.transport.status$.subscribe((status) => {
      if (status.state === 'open') connections.add(status.connection);
    });
    try {
      await until(() => counter.status$.get().joined, 'joined');
      const edits: Promise<void>[] = [];
      for (let i = 0; i < 1000; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        edits.push(counter.add(1));
      }
      await Promise.all(edits);
      await counter.synced();
      expect(await started.hub.value(room, 'count')).toEqual({ type: 'pn-counter', value: 1000 });
      expect((await scrape(started.url)).get('rxsync_hub_rejects_total{code="E_RATE_LIMITED"}') ?? 0).toBe(0);
      expect([...connections]).toEqual([1]); // never closed and reconnected
    } finally {
      sub.unsubscribe();
      counter.close();
      live.close();
    }
  }, 60_000);
});
