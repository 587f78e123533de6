import type { LiveCounter } from '../../lib/live/index';
import { seed, seededRandom } from '../support/fc';
import { until } from '../e2e/support/liveClients';
import { everySeqArrived, printSeed, seqReport, settle, within } from './support/checks';
import { busConnectedOfAll, metricOfAll, startCluster, type Cluster } from './support/cluster';
import { spreadClients, type ClusterClient } from './support/clusterClients';
import { ownRedis, type OwnRedis } from './support/ownRedis';
import { opsInLog, valuesInLog } from './support/readBack';
import { requireServices } from './support/services';

/**
 * The hubs' Redis (a redis-server of this test's own, never the shared one) is killed while nine
 * clients on three hubs write, and started again empty. Ops committed while the bus was down
 * never crossed it: the hubs must fill the gaps from PostgreSQL, so that no client misses an op.
 */
/** Edits per client (`CLUSTER_EDITS`; more in the deep tier). */
const PER_CLIENT = Number(process.env['CLUSTER_EDITS'] ?? (process.env['FC_RUNS'] ? 150 : 30));
const ROOM = 'cluster-redis';

describe('Redis is restarted mid-stream', () => {
  let redis: OwnRedis | undefined;
  let cluster: Cluster | undefined;
  const clients: ClusterClient[] = [];
  const counters: LiveCounter[] = [];

  beforeAll(async () => {
    await requireServices();
    redis = await ownRedis();
    cluster = await startCluster({ hubs: 3, label: 'redis', redisUrl: redis.url });
  }, 60_000);

  afterAll(async () => {
    counters.forEach((d) => d.close());
    clients.forEach((c) => c.close());
    await cluster?.close();
    await redis?.stop();
  });

  it(`every client gets every op, gaps filled from the log (seed ${seed})`, async () => {
    printSeed('clusterRedisRestart', seed);
    const random = seededRandom(seed);
    const hubs = cluster!;
    clients.push(...spreadClients((start) => hubs.urls(start), ROOM));
    counters.push(...clients.map((c) => c.client.live({ room: ROOM, doc: 'hits', type: 'pn-counter', transport: c.transport })));
    await until(() => counters.every((d) => d.status$.get().joined), 'every client joined');

    let made = 0;
    const total = clients.length * PER_CLIENT;
    const restartAt = Math.floor(total * (0.3 + random() * 0.2));
    let restart: Promise<void> | undefined;
    let busDown: number[] = [];
    const writers = counters.map(async (counter) => {
      for (let i = 0; i < PER_CLIENT; i++) {
        await counter.add(1);
        if (++made === restartAt) {
          // Down for a while (edits go on meanwhile), then back, empty.
          restart = (async () => {
            await redis!.kill();
            busDown = await busConnectedOfAll(hubs, 0);
            await new Promise((resolve) => setTimeout(resolve, 500));
            await redis!.start();
          })();
        }
        await new Promise((resolve) => setTimeout(resolve, random() * 25));
      }
    });
    await Promise.all(writers);
    await restart;
    await within(Promise.all(counters.map((d) => d.synced())), 30_000, 'every edit acked', () =>
      counters.map((d, i) => ({ via: clients[i]!.via, pending: d.pending$.get(), value: d.get() })),
    );

    const ops = await opsInLog(hubs.isolation.schema, ROOM);
    const head = ops.at(-1)?.seq ?? 0;
    const fromLog = (await valuesInLog(hubs.isolation.schema, ROOM, ['hits']))['hits']?.value;
    await settle(() => everySeqArrived(clients, head) && counters.every((d) => d.get() === total));
    const report = seqReport(clients, head);
    const filled = await metricOfAll(hubs, 'rxsync_hub_gap_fill_ops_total');
    console.log(
      `clusterRedisRestart: Redis killed after ${restartAt} of ${total} edits and restarted; ${head} ops in the log; ` +
        `bus seen down by the hubs: ${busDown.join(',')}; ops read from the log to fill gaps per hub: ${filled.join(',')}`,
    );

    // Every hub saw the bus go down, and the ops that did not cross it were read from PostgreSQL.
    expect(busDown).toEqual([0, 0, 0]);
    expect(filled.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(await busConnectedOfAll(hubs, 1)).toEqual([1, 1, 1]);
    expect(fromLog).toBe(total);
    expect(head).toBe(total);
    for (const counter of counters) expect(counter.get()).toBe(total);
    for (const r of report) expect(r).toEqual({ ...r, duplicates: [], missing: [] });
  }, 90_000);
});
