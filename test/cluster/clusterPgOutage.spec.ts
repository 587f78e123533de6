import type { LiveMap } from '../../lib/live/index';
import { canonical, until } from '../e2e/support/liveClients';
import { everySeqArrived, seqReport, settle, within } from './support/checks';
import { readyz, readyzOfAll, startCluster, type Cluster } from './support/cluster';
import { spreadClients, type ClusterClient } from './support/clusterClients';
import { pausableProxy, throughProxy, type PausableProxy } from './support/pausableProxy';
import { opsInLog, valuesInLog } from './support/readBack';
import { PG_URL, requireServices } from './support/services';

/**
 * The hubs reach PostgreSQL through a proxy the test pauses: for a while every connection is cut
 * and new ones are dropped (the shared PostgreSQL itself keeps running). Meanwhile the hubs must
 * not ack (the clients' outboxes keep the edits), `/readyz` must answer 503, and once PostgreSQL
 * is back everything must converge with nothing lost.
 */
const ROOM = 'cluster-pg';

describe('PostgreSQL is unavailable for a while', () => {
  let proxy: PausableProxy | undefined;
  let cluster: Cluster | undefined;
  const clients: ClusterClient[] = [];
  const docs: LiveMap[] = [];

  beforeAll(async () => {
    await requireServices();
    const { hostname, port } = new URL(PG_URL);
    proxy = await pausableProxy({ host: hostname, port: Number(port === '' ? 5432 : port) });
    cluster = await startCluster({ hubs: 3, label: 'pgdown', pgUrl: throughProxy(PG_URL, proxy) });
  }, 60_000);

  afterAll(async () => {
    docs.forEach((d) => d.close());
    clients.forEach((c) => c.close());
    await cluster?.close();
    await proxy?.close();
  });

  it('hubs stop acking and report unready; the outboxes keep the edits; all converges once it is back', async () => {
    const hubs = cluster!;
    clients.push(...spreadClients((start) => hubs.urls(start), ROOM));
    docs.push(...clients.map((c) => c.client.live({ room: ROOM, doc: 'board', type: 'lww-map', transport: c.transport })));
    await until(() => docs.every((d) => d.status$.get().joined), 'every client joined');
    await Promise.all(docs.map((d, c) => d.set(`before-${c}`, c)));
    await Promise.all(docs.map((d) => d.synced()));
    for (const hub of hubs.hubs) expect(await readyz(hub)).toBe(200);

    proxy!.pause();
    // Every client (so every hub) gets edits while the log is away.
    await Promise.all(docs.map((d, c) => Promise.all([d.set(`during-${c}`, c), d.set(`during-${c}-b`, -c)])));
    const allUnready = await readyzOfAll(hubs, 503);
    // Give a hub that would wrongly ack (from memory, before the write) time to do so.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const pendingDuring = docs.map((d) => d.pending$.get());
    console.log(
      `clusterPgOutage: /readyz during the outage ${allUnready.join(',')}; pending edits per client ${pendingDuring.join(',')}; ` +
        `connections dropped by the paused proxy: ${proxy!.dropped}`,
    );
    expect(allUnready).toEqual([503, 503, 503]);
    // Both edits of every client wait in its outbox: none was acked while the log was away.
    expect(pendingDuring).toEqual(docs.map(() => 2));
    // Nothing uncommitted went out: no client sees another's edits of the outage.
    for (const [c, d] of docs.entries())
      expect(Object.keys(d.get()).filter((k) => k.startsWith('during-') && !k.startsWith(`during-${c}`))).toEqual([]);

    proxy!.resume();
    await within(Promise.all(docs.map((d) => d.synced())), 30_000, 'every edit acked once PostgreSQL is back', () =>
      docs.map((d, i) => ({ via: clients[i]!.via, pending: d.pending$.get() })),
    );
    const ops = await opsInLog(hubs.isolation.schema, ROOM);
    const head = ops.at(-1)?.seq ?? 0;
    const fromLog = (await valuesInLog(hubs.isolation.schema, ROOM, ['board']))['board']?.value as Record<string, number>;
    await settle(() => everySeqArrived(clients, head) && docs.every((d) => canonical(d.get()) === canonical(fromLog)));
    const expected = Object.fromEntries(
      docs.flatMap((_, c) => [
        [`before-${c}`, c],
        [`during-${c}`, c],
        [`during-${c}-b`, -c],
      ]),
    );
    expect(canonical(fromLog)).toBe(canonical(expected));
    for (const d of docs) expect(canonical(d.get())).toBe(canonical(expected));
    for (const d of docs) expect(d.pending$.get()).toBe(0);
    expect(await readyzOfAll(hubs, 200)).toEqual([200, 200, 200]);
    for (const r of seqReport(clients, head)) expect(r).toEqual({ ...r, duplicates: [], missing: [] });
  }, 90_000);
});
