// A peer that stops answering but keeps the socket open is only found by the heartbeat.
import WebSocket from 'ws';
import { isRxSyncError } from '../../lib/errors';
import type { TransportStatus } from '../../transports/transport';
import { webSocket } from '../../transports/webSocket';
import { serverPerTest } from './support/testServer';
import { firstN, statusWhere } from './support/wait';

describe('dead peer detection (webSocket + heartbeat)', () => {
  const t = serverPerTest();

  it('detects a silent server within the heartbeat timeout and reconnects', async () => {
    const interval = 100;
    const timeout = 400;
    const transport = webSocket<number>(t.server.urls.ws, {
      WebSocket,
      heartbeat: { interval, timeout },
      reconnect: { initialDelay: 10, maxDelay: 20 },
    });
    t.subscription = transport.messages$.subscribe();
    await statusWhere(transport, (s) => s.state === 'open');
    // Let a few ping/pong rounds pass so the connection is known to be healthy while idle.
    await t.server.waitFor(() => t.server.opened() === 1, 'connected');
    const healthy = firstN(transport.messages$, 1);
    t.server.publish(1);
    await healthy;

    const frozenAt = Date.now();
    t.server.freeze(); // the socket stays open; nothing is sent or answered any more
    const detected: TransportStatus = await statusWhere(transport, (s) => s.state === 'reconnecting');
    const detectedAfter = Date.now() - frozenAt;
    expect(isRxSyncError(detected.error, 'E_HEARTBEAT_TIMEOUT')).toBe(true);
    // Silence is measured from the last frame, which came at most one interval before the freeze.
    expect(detectedAfter).toBeGreaterThanOrEqual(timeout - interval - 20);
    expect(detectedAfter).toBeLessThanOrEqual(timeout + 150);

    await statusWhere(transport, (s) => s.state === 'open' && s.connection === 2);
    await t.server.waitFor(() => t.server.opened() === 2, 'the client reconnected');
    const after = firstN(transport.messages$, 1);
    t.server.publish(2);
    expect(await after).toEqual([2]); // resumed after 1: nothing repeated
  });
});
