import { EventEmitter } from 'node:events';
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import { fallback } from '../../transports/fallback';
import { memoryPair } from '../../transports/memoryPair';
import { polling } from '../../transports/polling';
import { sse } from '../../transports/sse';
import type { TransportStatus } from '../../transports/transport';
import { webSocket } from '../../transports/webSocket';
import { serverPerTest } from './support/testServer';
import { freePort, statusWhere, waitForChange } from './support/wait';

describe('fallback([webSocket, sse, polling])', () => {
  const t = serverPerTest();

  it('WS refused → SSE; SSE down → polling; WS back → moves up; every message once, in order, stream never ends', async () => {
    const wsPort = await freePort(); // nothing listens here yet: connections are refused
    const fast = { initialDelay: 10, maxDelay: 40 };
    const live = fallback(
      [
        webSocket(`ws://127.0.0.1:${wsPort}/ws`, { WebSocket, reconnect: fast }),
        sse(t.server.urls.sse, { postUrl: t.server.urls.post, EventSource, reconnect: fast }),
        polling(t.server.urls.poll, { postUrl: t.server.urls.post, interval: 20, reconnect: fast }),
      ],
      { maxFailures: 2, retryPrimaryAfter: 200 },
    );
    const events = new EventEmitter();
    const got: number[] = [];
    const vias: string[] = [];
    let ended = false;
    t.subscription = live.messages$.subscribe({
      next: (message) => {
        got.push((message as { n: number }).n);
        events.emit('change');
      },
      error: () => (ended = true),
      complete: () => (ended = true),
    });
    const statusSubscription = live.status$.subscribe((status: TransportStatus) => {
      if (status.state === 'open' && vias[vias.length - 1] !== status.via) vias.push(status.via);
    });
    let n = 0;
    const publishAndReceive = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++) t.server.publish({ n: ++n });
      await waitForChange(events, () => got.length === n, `${n} messages`);
    };

    await statusWhere(live, (s) => s.state === 'open' && s.via === 'sse');
    await publishAndReceive(50);
    live.send('over sse');

    t.server.setEnabled('sse', false);
    await statusWhere(live, (s) => s.state === 'open' && s.via === 'polling');
    await publishAndReceive(50);
    live.send('over polling');

    await t.server.listenWs(wsPort);
    await statusWhere(live, (s) => s.state === 'open' && s.via === 'websocket');
    await publishAndReceive(50);
    live.send('over websocket');
    await t.server.waitFor(() => t.server.received.length === 3, 'the three sends');

    expect(got).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(vias).toEqual(['sse', 'polling', 'websocket']);
    expect(t.server.received).toEqual(['over sse', 'over polling', 'over websocket']);
    expect(ended).toBe(false);
    statusSubscription.unsubscribe();
  });
});

describe('fallback hand-over', () => {
  it('moves messages still buffered on the failed transport to the next one, and shares one cursor', async () => {
    const refused = webSocket(`ws://127.0.0.1:${await freePort()}/ws`, { WebSocket, reconnect: { initialDelay: 5, maxDelay: 10 } });
    const [memory, memoryServer] = memoryPair<unknown, unknown>();
    const received: unknown[] = [];
    const events = new EventEmitter();
    const serving = memoryServer.messages$.subscribe((m) => {
      received.push(m);
      events.emit('change');
    });
    const live = fallback([refused, memory], { maxFailures: 2 });
    expect(refused.cursor).toBe(live.cursor);
    expect(memory.cursor).toBe(live.cursor);
    live.send('queued while connecting');
    expect(refused.takePending()).toEqual(['queued while connecting']);
    live.send('queued while connecting');
    const subscription = live.messages$.subscribe();
    await waitForChange(events, () => received.length === 1, 'the hand-over');
    expect(received).toEqual(['queued while connecting']);
    expect(await statusWhere(live, () => true)).toMatchObject({ state: 'open', via: 'memory' });
    subscription.unsubscribe();
    serving.unsubscribe();
  });
});
