import { Client } from 'pg';
import type { LiveCounter } from '../../lib/live/index';
import { hubTransport, until } from '../e2e/support/liveClients';
import { startHub, type StartedHub } from '../server/fixtures/hubFixture';
import { createOutbox } from '../../lib/outbox/outbox';
import { createClient } from '../../lib/query/client';
import { liveDocuments } from '../../lib/live/liveRegistry';
import { memoryStorage } from '../../lib/storage/memoryStorage';
import type { TransportOptions } from '../../transports/createTransport';
import { frameTap } from './support/frameTap';
import { ownRedis } from './support/ownRedis';
import { pausableProxy, throughProxy } from './support/pausableProxy';
import { redisCommand } from './support/resp';
import { isolate, PG_URL, pgQuery, REDIS_URL, requireServices } from './support/services';

/** The cluster suites' own parts, checked against the real services, so a fault test failing means the hubs, not the harness. */
describe('cluster test harness', () => {
  beforeAll(() => requireServices());

  it('gives each test a schema and a key prefix of its own, and removes both', async () => {
    const isolation = await isolate('harness');
    await redisCommand(REDIS_URL, ['SET', `${isolation.prefix}probe`, '1']);
    const exists = async (): Promise<number> =>
      (await pgQuery<{ n: number }>('SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1', [isolation.schema]))[0]!.n;
    expect(await exists()).toBe(1);
    await isolation.drop();
    expect(await exists()).toBe(0);
    expect(await redisCommand(REDIS_URL, ['EXISTS', `${isolation.prefix}probe`])).toBe(0);
  });

  it('the pausable proxy cuts PostgreSQL connections and lets new ones through again once resumed', async () => {
    const { hostname, port } = new URL(PG_URL);
    const proxy = await pausableProxy({ host: hostname, port: Number(port === '' ? 5432 : port) });
    const client = new Client({ connectionString: throughProxy(PG_URL, proxy), connectionTimeoutMillis: 2000 });
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error));
    try {
      await client.connect();
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      proxy.pause();
      await expect(client.query('SELECT 1')).rejects.toThrow();
      const refused = new Client({ connectionString: throughProxy(PG_URL, proxy), connectionTimeoutMillis: 2000 });
      refused.on('error', () => undefined);
      await expect(refused.connect()).rejects.toThrow();
      expect(proxy.dropped).toBeGreaterThan(0);
      proxy.resume();
      const again = new Client({ connectionString: throughProxy(PG_URL, proxy), connectionTimeoutMillis: 2000 });
      await again.connect();
      expect((await again.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
      await again.end();
    } finally {
      await client.end().catch(() => undefined);
      await proxy.close();
    }
  });

  it('an own redis-server can be killed and started again on the same port, empty', async () => {
    const redis = await ownRedis();
    try {
      expect(redis.url).not.toBe(REDIS_URL);
      await redisCommand(redis.url, ['SET', 'k', 'v']);
      await redis.kill();
      await expect(redisCommand(redis.url, ['PING'], 500)).rejects.toThrow();
      await redis.start();
      expect(await redisCommand(redis.url, ['GET', 'k'])).toBeNull();
    } finally {
      await redis.stop();
    }
  });

  it('the frame tap counts the seqs each connection received, before the transport drops repeats', async () => {
    let started: StartedHub | undefined;
    const room = 'tap';
    try {
      started = await startHub();
      const counters: LiveCounter[] = [];
      const taps = (['websocket', 'sse', 'polling'] as const).map((via) => {
        const tap = frameTap();
        const outbox = createOutbox({ storage: memoryStorage(), retry: { initialDelay: 20, maxDelay: 200 } });
        const client = createClient({ outbox, live: liveDocuments });
        const tapped =
          via === 'websocket'
            ? { WebSocket: tap.WebSocket }
            : via === 'sse'
              ? { EventSource: tap.EventSource, fetch: tap.fetch }
              : { fetch: tap.fetch };
        // hubTransport spreads its extra options into the transport's own (where these names belong).
        const transport = hubTransport(started!.url, via, { room }, tapped as TransportOptions);
        counters.push(client.live({ room, doc: 'n', type: 'pn-counter', transport }));
        return { tap, outbox };
      });
      await until(() => counters.every((c) => c.status$.get().joined), 'joined');
      await Promise.all(counters.map((c) => Promise.all([c.add(1), c.add(1)])));
      await Promise.all(counters.map((c) => c.synced()));
      await until(() => taps.every(({ tap }) => tap.missing(6).length === 0), 'every tap saw seqs 1..6');
      for (const { tap } of taps) {
        expect(tap.duplicates()).toEqual([]);
        expect(tap.connections.length).toBe(1);
        expect(tap.seqCounts().size).toBe(6);
      }
      // Each client's own two ops were acked to it.
      for (const { tap } of taps) expect(tap.acks.length).toBe(2);
      // A second connection behind the same tap receives the room from seq 1 again: the tap reports
      // every seq as received twice (what a hub resending ops to a resumed client would look like).
      const again = frameTap();
      for (let i = 0; i < 2; i++) {
        const replay = hubTransport(started.url, 'websocket', { room }, { WebSocket: again.WebSocket } as TransportOptions);
        const sub = replay.messages$.subscribe(() => undefined);
        await until(() => again.seqCounts().size === 6 && again.connections[i]?.seqs.length === 6, `replay ${i + 1} saw seqs 1..6`);
        sub.unsubscribe();
      }
      expect(again.duplicates()).toEqual([1, 2, 3, 4, 5, 6]);
      expect(again.missing(6)).toEqual([]);
      expect(again.missing(7)).toEqual([7]);
      counters.forEach((c) => c.close());
      taps.forEach(({ outbox }) => outbox.close());
    } finally {
      await started?.hub.close();
    }
  });
});
