import type { LiveMap } from '../../lib/live/index';
import { seed, seededRandom } from '../support/fc';
import { canonical, until } from '../e2e/support/liveClients';
import { everySeqArrived, printSeed, seqReport, settle, within } from './support/checks';
import { startCluster, type Cluster } from './support/cluster';
import { spreadClients, type ClusterClient } from './support/clusterClients';
import { opsInLog, valuesInLog } from './support/readBack';
import { requireServices } from './support/services';

/**
 * One of three hub processes is killed with SIGKILL while nine clients write. Its clients must
 * reconnect to the other hubs; every op acked before the kill must be in the log once; no client
 * may receive an op twice or miss one (counted on the raw frames of each of its connections).
 */
/** Edits per client (`CLUSTER_EDITS`; more in the deep tier). */
const PER_CLIENT = Number(process.env['CLUSTER_EDITS'] ?? (process.env['FC_RUNS'] ? 150 : 40));
const ROOM = 'cluster-kill';

describe('a hub process is killed with SIGKILL mid-stream', () => {
  let cluster: Cluster | undefined;
  const clients: ClusterClient[] = [];
  const docs: LiveMap[] = [];

  beforeAll(async () => {
    await requireServices();
    cluster = await startCluster({ hubs: 3, label: 'kill' });
  }, 60_000);

  afterAll(async () => {
    docs.forEach((d) => d.close());
    clients.forEach((c) => c.close());
    await cluster?.close();
  });

  it(`its clients move to the other hubs; acked ops are kept once; nothing is delivered twice or missed (seed ${seed})`, async () => {
    printSeed('clusterHubKill', seed);
    const random = seededRandom(seed);
    const hubs = cluster!;
    const victim = hubs.hubs[0]!;
    clients.push(...spreadClients((start) => hubs.urls(start), ROOM));
    docs.push(...clients.map((c) => c.client.live({ room: ROOM, doc: 'log', type: 'lww-map', transport: c.transport })));
    await until(() => docs.every((d) => d.status$.get().joined), 'every client joined');
    const onVictim = clients.filter((c) => c.tap.connections[0]!.url.includes(new URL(victim.url).host));
    expect(onVictim.length).toBe(3); // one per transport

    // Kill once a third of all edits were made, at a moment chosen by the seed.
    const killAfter = Math.floor(clients.length * PER_CLIENT * (0.25 + random() * 0.2));
    let made = 0;
    let killedAt = 0;
    let kill: Promise<void> | undefined;
    const writers = docs.map(async (doc, c) => {
      for (let i = 0; i < PER_CLIENT; i++) {
        await doc.set(`c${c}-${i}`, i);
        if (++made === killAfter) {
          killedAt = Date.now();
          kill = hubs.kill(victim);
        }
        await new Promise((resolve) => setTimeout(resolve, random() * 20));
      }
    });
    await Promise.all(writers);
    await kill;
    expect(killedAt).toBeGreaterThan(0);
    await within(Promise.all(docs.map((d) => d.synced())), 30_000, 'every edit acked', () =>
      docs.map((d, i) => ({ via: clients[i]!.via, pending: d.pending$.get(), connections: clients[i]!.tap.connections.length })),
    );

    const acked = new Set(clients.flatMap((c) => c.tap.acks.filter((a) => a.at < killedAt).map((a) => a.id)));
    const ops = await opsInLog(hubs.isolation.schema, ROOM);
    const head = ops.at(-1)?.seq ?? 0;
    expect(ops.map((o) => o.seq)).toEqual(ops.map((_, i) => i + 1));
    const times = new Map<string, number>();
    for (const { op } of ops) times.set(op.id, (times.get(op.id) ?? 0) + 1);
    const all = docs.flatMap((_, c) => Array.from({ length: PER_CLIENT }, (__, i) => `c${c}-${i}`));
    const fromLog = (await valuesInLog(hubs.isolation.schema, ROOM, ['log']))['log']?.value as Record<string, number>;
    await settle(() => everySeqArrived(clients, head) && docs.every((d) => canonical(d.get()) === canonical(fromLog)));
    const report = seqReport(clients, head);
    console.log(
      `clusterHubKill: killed ${victim.url} after ${killAfter} of ${all.length} edits; ${acked.size} ops acked before the kill; ` +
        `${head} ops in the log; connections per client ${report.map((r) => r.connections).join(',')}`,
    );

    expect(acked.size).toBeGreaterThan(0);
    for (const id of acked) expect([id, times.get(id)]).toEqual([id, 1]);
    expect([...times.values()].filter((n) => n !== 1)).toEqual([]);
    for (const key of all) expect(fromLog[key]).toBe(Number(key.split('-')[1]));
    for (const doc of docs) expect(canonical(doc.get())).toBe(canonical(fromLog));
    // The killed hub's clients went on through another hub.
    for (const c of onVictim) expect(c.tap.connections.slice(1).some((conn) => !conn.url.includes(new URL(victim.url).host))).toBe(true);
    for (const r of report) expect(r).toEqual({ ...r, duplicates: [], missing: [] });
  }, 90_000);
});
