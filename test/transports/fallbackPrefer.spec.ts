// fallback(...).prefer(via) pins one candidate; TransportStatus.rtt is the heartbeat's round trip.
// Real hub on 127.0.0.1 (and the transport test server where a mechanism must be switched off).
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import { createOutbox } from '../../lib/outbox/outbox';
import { createClient } from '../../lib/query/client';
import { liveDocuments } from '../../lib/live/liveRegistry';
import { isRxSyncError } from '../../lib/errors';
import { memoryStorage } from '../../lib/storage/memoryStorage';
import { fallback } from '../../transports/fallback';
import { sse } from '../../transports/sse';
import { polling } from '../../transports/polling';
import type { TransportStatus } from '../../transports/transport';
import { webSocket } from '../../transports/webSocket';
import { startHub, type StartedHub } from '../server/fixtures/hubFixture';
import { hubTransport, until, type Via } from '../e2e/support/liveClients';
import { serverPerTest } from './support/testServer';
import { statusWhere } from './support/wait';

const fast = { reconnect: { initialDelay: 10, maxDelay: 40 } };

describe('fallback(...).prefer(via) on a real hub', () => {
  let started: StartedHub;
  beforeEach(async () => {
    started = await startHub();
  });
  afterEach(() => started.hub.close());

  const threeWays = (room: string) =>
    fallback(
      (['websocket', 'sse', 'polling'] as const).map((via: Via) => hubTransport(started.url, via, { room })),
      { retryPrimaryAfter: 50, maxFailures: 2 },
    );

  it('moves a live room to the pinned candidate now, keeps it there, and back to automatic on prefer(undefined)', async () => {
    const room = 'prefer';
    const writer = createClient({ outbox: createOutbox({ storage: memoryStorage() }), live: liveDocuments });
    const reader = createClient({ outbox: createOutbox({ storage: memoryStorage() }), live: liveDocuments });
    const transport = threeWays(room);
    const vias: string[] = [];
    const statusSub = transport.status$.subscribe((s) => {
      if (s.state === 'open' && vias.at(-1) !== s.via) vias.push(s.via);
    });
    const mine = writer.live({ room, doc: 'n', type: 'pn-counter', transport: hubTransport(started.url, 'websocket', { room }) });
    const theirs = reader.live({ room, doc: 'n', type: 'pn-counter', transport });
    try {
      await until(() => vias.length === 1, 'the reader connected');
      expect(vias).toEqual(['websocket']);
      for (const via of ['polling', 'sse'] as const) {
        transport.prefer(via);
        await statusWhere(transport, (s) => s.state === 'open' && s.via === via);
        await mine.add(1);
        await until(() => theirs.get() === mine.get(), `the reader sees the edit over ${via}`);
        // retryPrimaryAfter (50 ms) passes several times over: no probe moves it back up.
        await new Promise((resolve) => setTimeout(resolve, 250));
        expect(vias.at(-1)).toBe(via);
      }
      transport.prefer(undefined);
      await statusWhere(transport, (s) => s.state === 'open' && s.via === 'websocket');
      await mine.add(1);
      await until(() => theirs.get() === 2, 'the reader sees the edit back on the websocket');
      expect(vias).toEqual(['websocket', 'polling', 'sse', 'websocket']);
    } finally {
      statusSub.unsubscribe();
      mine.close();
      theirs.close();
      writer.outbox?.close();
      reader.outbox?.close();
    }
  });

  it('pinned before connecting, it starts there; an unknown via is refused with E_OPTION_INVALID', async () => {
    const transport = threeWays('early');
    transport.prefer('sse');
    const sub = transport.messages$.subscribe();
    try {
      const open = await statusWhere(transport, (s) => s.state === 'open');
      expect(open.via).toBe('sse');
      let refused: unknown;
      try {
        transport.prefer('carrier-pigeon');
      } catch (error) {
        refused = error;
      }
      expect(isRxSyncError(refused, 'E_OPTION_INVALID')).toBe(true);
      expect((refused as Error).message).toMatch(/websocket, sse, polling/);
    } finally {
      sub.unsubscribe();
    }
  });

  it('reports the heartbeat round-trip time while open, for websocket and sse, through fallback too', async () => {
    const heartbeat = { interval: 40, timeout: 2000 };
    for (const via of ['websocket', 'sse'] as const) {
      const transport = hubTransport(started.url, via, { room: `rtt-${via}` }, { heartbeat });
      const statuses: TransportStatus[] = [];
      const statusSub = transport.status$.subscribe((s) => statuses.push(s));
      const sub = transport.messages$.subscribe();
      // Measured once at open, then at every heartbeat ping (the connection is otherwise silent).
      await until(() => statuses.filter((s) => s.rtt !== undefined).length >= 3, `three round trips over ${via}`);
      const measured = statuses.filter((s) => s.rtt !== undefined);
      for (const s of measured) {
        expect(s.state).toBe('open');
        expect(s.rtt).toBeGreaterThanOrEqual(0);
        expect(s.rtt).toBeLessThan(2000);
      }
      expect(statuses.find((s) => s.state === 'connecting')?.rtt).toBeUndefined();
      sub.unsubscribe();
      statusSub.unsubscribe();
      expect(statuses.at(-1)).toMatchObject({ state: 'closed' });
      expect(statuses.at(-1)?.rtt).toBeUndefined();
    }
    const pinned = fallback([hubTransport(started.url, 'websocket', { room: 'rtt-fallback' }, { heartbeat })]);
    const sub = pinned.messages$.subscribe();
    const withRtt = await statusWhere(pinned, (s) => s.rtt !== undefined);
    expect(withRtt).toMatchObject({ state: 'open', via: 'websocket' });
    sub.unsubscribe();
    // Polling has no heartbeat, hence no round-trip time.
    const poll = hubTransport(started.url, 'polling', { room: 'rtt-polling' });
    const pollStatuses: TransportStatus[] = [];
    const pollStatusSub = poll.status$.subscribe((s) => pollStatuses.push(s));
    const pollSub = poll.messages$.subscribe();
    await statusWhere(poll, (s) => s.state === 'open');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pollStatuses.every((s) => s.rtt === undefined)).toBe(true);
    pollSub.unsubscribe();
    pollStatusSub.unsubscribe();
  });
});

describe('a pinned candidate that fails', () => {
  const t = serverPerTest();

  it('keeps reconnecting on it instead of moving down the list, and opens there again when it is back', async () => {
    const live = fallback(
      [
        webSocket(t.server.urls.ws, { WebSocket, ...fast }),
        sse(t.server.urls.sse, { postUrl: t.server.urls.post, EventSource, ...fast }),
        polling(t.server.urls.poll, { postUrl: t.server.urls.post, interval: 20, ...fast }),
      ],
      { maxFailures: 2, retryPrimaryAfter: 50 },
    );
    const vias: string[] = [];
    const statusSub = live.status$.subscribe((s) => {
      if (s.state === 'open' && vias.at(-1) !== s.via) vias.push(s.via);
    });
    live.prefer('sse');
    t.subscription = live.messages$.subscribe();
    await statusWhere(live, (s) => s.state === 'open' && s.via === 'sse');
    t.server.setEnabled('sse', false);
    await statusWhere(live, (s) => s.state === 'reconnecting' && s.via === 'sse' && (s.attempt ?? 0) >= 4);
    expect(vias).toEqual(['sse']); // neither polling (down the list) nor websocket (up) was used
    t.server.setEnabled('sse', true);
    await statusWhere(live, (s) => s.state === 'open' && s.via === 'sse');
    expect(vias).toEqual(['sse']);
    statusSub.unsubscribe();
  });
});
