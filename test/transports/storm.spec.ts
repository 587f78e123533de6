// Reconnect storm: many clients lose the server at once. Full jitter must spread their returns so
// that no 100 ms window (sliding) holds more than 5% of them, counted at the server.
import type { Subscription } from 'rxjs';
import WebSocket from 'ws';
import { webSocket } from '../../transports/webSocket';
import { seed, seededRandom } from '../support/fc';
import { createTestServer, type TestServer } from './support/testServer';
import { statusWhere } from './support/wait';

const CLIENTS = Number(process.env['STORM_CLIENTS'] ?? 200);

/** The most timestamps inside any window of `width` ms. */
function busiestWindow(times: number[], width: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let start = 0;
  let most = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= width) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

async function storm(server: TestServer, clients: number, reconnect: { initialDelay: number; jitter: 'full' | 'none' }): Promise<number> {
  const subscriptions: Subscription[] = [];
  try {
    const transports = Array.from({ length: clients }, (_, i) =>
      webSocket(server.urls.ws, { WebSocket, heartbeat: false, reconnect: { ...reconnect, random: seededRandom(seed + i) } }),
    );
    for (const transport of transports) subscriptions.push(transport.messages$.subscribe());
    await Promise.all(transports.map((t) => statusWhere(t, (s) => s.state === 'open')));
    const before = server.connectionTimes.length;
    server.dropAll();
    await server.waitFor(
      () => server.live() === clients && server.connectionTimes.length - before === clients,
      'every client back',
      60_000,
    );
    return busiestWindow(server.connectionTimes.slice(before), 100);
  } finally {
    for (const subscription of subscriptions) subscription.unsubscribe();
  }
}

describe('reconnect storm', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await createTestServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it(`${CLIENTS} clients with full jitter: no 100 ms window holds more than 5% of the reconnects`, async () => {
    // Uniform over 15 s: P(some sliding 100 ms window > 10 of 200) is about 4e-4 (simulated).
    const busiest = await storm(server, CLIENTS, { initialDelay: 15_000, jitter: 'full' });
    expect(busiest).toBeLessThanOrEqual(Math.floor(CLIENTS * 0.05));
  }, 60_000);

  it('control: without jitter the same measure sees the herd (so the check above can fail)', async () => {
    const clients = 40;
    const busiest = await storm(server, clients, { initialDelay: 200, jitter: 'none' });
    expect(busiest).toBeGreaterThan(Math.floor(clients * 0.05));
  });
});
