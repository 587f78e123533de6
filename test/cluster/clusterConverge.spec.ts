import { seed, seededRandom } from '../support/fc';
import { canonical, until } from '../e2e/support/liveClients';
import { everySeqArrived, printSeed, seqReport, settle, within } from './support/checks';
import { startCluster, type Cluster } from './support/cluster';
import { spreadClients } from './support/clusterClients';
import { opsInLog, valuesInLog } from './support/readBack';
import {
  closeReplica,
  DOCS,
  docsOf,
  fullStateOf,
  joined,
  openReplica,
  pending,
  randomEdit,
  valuesFromLog,
  valuesOf,
  type Replica,
} from './support/replicas';
import { requireServices } from './support/services';

/**
 * Three hub processes share one op log in PostgreSQL and fan out over Redis. Nine clients, three
 * per transport, each starting on a different hub, edit a document of every type concurrently at
 * random (seeded). Every replica must end equal to every other and to the state read back from
 * PostgreSQL, and every client must have received every op of the room exactly once.
 */
/** Edits per client (`CLUSTER_EDITS`; more in the deep tier). */
const EDITS = 9 * Number(process.env['CLUSTER_EDITS'] ?? (process.env['FC_RUNS'] ? 90 : 20));
const ROOM = 'cluster-converge';

describe('live documents converge across three hub processes (PostgreSQL log, Redis bus)', () => {
  let cluster: Cluster | undefined;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    await requireServices();
    cluster = await startCluster({ hubs: 3, label: 'converge' });
  }, 60_000);

  afterAll(async () => {
    replicas.forEach(closeReplica);
    await cluster?.close();
  });

  it(`reaches one value everywhere after ${EDITS} random concurrent edits on nine clients (seed ${seed})`, async () => {
    printSeed('clusterConverge', seed);
    const random = seededRandom(seed);
    const hubs = cluster!;
    const clients = spreadClients((start) => hubs.urls(start), ROOM);
    replicas.push(...clients.map((c) => openReplica(c, ROOM)));
    await until(() => replicas.every(joined), 'every client joined');
    // The clients really are spread: each hub serves some of them.
    const firstHubs = new Set(clients.map((c) => new URL(c.tap.connections[0]!.url).port));
    expect(firstHubs.size).toBe(3);

    const edits: Promise<void>[] = [];
    let likes = 0;
    for (let i = 0; i < EDITS; i++) {
      const edit = randomEdit(replicas[Math.floor(random() * replicas.length)]!, random, i);
      edits.push(edit.done);
      likes += edit.likes;
      if (random() < 0.3) await new Promise((resolve) => setTimeout(resolve, random() * 15));
    }
    await Promise.all(edits);
    await within(Promise.all(replicas.flatMap((r) => docsOf(r).map((d) => d.synced()))), 30_000, 'every edit acked', () =>
      replicas.map((r) => ({ via: r.c.via, pending: pending(r), connections: r.c.tap.connections.length })),
    );

    const head = (await opsInLog(hubs.isolation.schema, ROOM)).length;
    const fromLog = valuesFromLog(await valuesInLog(hubs.isolation.schema, ROOM, Object.keys(DOCS)));
    const converged = (): boolean =>
      replicas.every((r) => canonical(valuesOf(r)) === canonical(fromLog) && fullStateOf(r) === fullStateOf(replicas[0]!));
    const ok = await settle(() => converged() && everySeqArrived(clients, head));
    if (!ok) console.log(`log: ${canonical(fromLog)}\n${replicas.map((r) => `${r.c.via}: ${fullStateOf(r)}`).join('\n')}`);
    console.log(`clusterConverge: ${EDITS} edits, ${head} ops in the log, 9 clients on 3 hubs`);

    expect(head).toBeGreaterThanOrEqual(EDITS); // each edit is at least one op
    for (const r of replicas) expect(canonical(valuesOf(r))).toBe(canonical(fromLog));
    expect(new Set(replicas.map(fullStateOf)).size).toBe(1);
    // The counter is exact: every `add` counted once, none twice.
    expect(fromLog['likes']).toBe(likes);
    // Every op reached every client, once.
    for (const report of seqReport(clients, head)) expect(report).toEqual({ ...report, duplicates: [], missing: [] });
  }, 90_000);
});
