// Several hubs over one shared log and a bus: every client on every hub gets every op of its room
// exactly once and in seq order, whatever the bus does (drops, resyncs, reorders, repeats).
import { seed, seededRandom } from '../support/fc.js';
import {
  clientValues,
  DOCS,
  opSeqs,
  randomOp,
  startCluster,
  strictlyIncreasing,
  unrulyBus,
  type Cluster,
} from './fixtures/clusterFixture.js';
import { counterOp, opsFrame, scrape, startHub } from './fixtures/hubFixture.js';
import { pollClient, sseClient, wsClient, type RawClient } from './fixtures/rawClients.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('several hubs over one log and a bus', () => {
  let cluster: Cluster | undefined;
  const clients: RawClient[] = [];
  const random = seededRandom(seed);
  let nextId = 0;
  beforeAll(() => console.log(`hubCluster seed ${seed} (replay with SEED=${seed})`));
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
    await cluster?.close();
    cluster = undefined;
  });

  /** Two clients per hub, over WebSocket, SSE and polling in turn, all in `room`. */
  async function spread(room: string, perHub = 2): Promise<RawClient[]> {
    const out: RawClient[] = [];
    const kinds = [wsClient, sseClient, (url: string) => Promise.resolve(pollClient(url))];
    for (const [h, { url }] of (cluster as Cluster).hubs.entries()) {
      for (let i = 0; i < perHub; i++) {
        const client = await (kinds[(h * perHub + i) % kinds.length] as (u: string) => Promise<RawClient>)(url);
        clients.push(client);
        await client.hello(room);
        out.push(client);
      }
    }
    return out;
  }

  /** Sends `frames` frames of 1–3 random ops from random clients, without waiting between them; returns the op count. */
  async function randomEdits(writers: RawClient[], frames: number): Promise<number> {
    let count = 0;
    const sends: Promise<number>[] = [];
    for (let f = 0; f < frames; f++) {
      const writer = writers[Math.floor(random() * writers.length)] as RawClient;
      const ops = range(1 + Math.floor(random() * 3)).map(() => randomOp(random, `op-${++nextId}`, `n${f % 7}`, nextId));
      count += ops.length;
      sends.push(writer.send(opsFrame(ops)));
      if (random() < 0.3) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(sends);
    return count;
  }

  /** Every client received ops 1…total exactly once, in order; all agree with each other and with every hub. */
  async function expectConverged(room: string, readers: RawClient[], total: number): Promise<void> {
    for (const reader of readers) {
      await reader.waitFor(() => opSeqs(reader).length >= total, `${reader.kind} reader to get ${total} ops`, 15_000);
    }
    // A moment for anything extra (a duplicate) to show.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const expected = clientValues(readers[0] as RawClient);
    for (const reader of readers) {
      expect(strictlyIncreasing(opSeqs(reader))).toBe(true);
      expect(opSeqs(reader)).toEqual(range(total));
      expect(clientValues(reader)).toEqual(expected);
    }
    for (const { hub } of (cluster as Cluster).hubs) {
      expect(await hub.head(room)).toBe(total);
      for (const { doc } of DOCS) expect((await hub.value(room, doc))?.value).toEqual(expected.get(doc));
    }
  }

  it('converges clients spread over three hubs under random concurrent edits of several doc types', async () => {
    cluster = await startCluster(3);
    const room = 'cluster-random';
    const all = await spread(room);
    const total = await randomEdits(all, 40);
    await expectConverged(room, all, total);
    // Every hub wrote some, and heard the others' ops over the bus.
    for (const { url } of cluster.hubs) expect((await scrape(url)).get('rxsync_hub_bus_ops_total')).toBeGreaterThan(0);
    expect((await scrape(cluster.hubs[0]!.url)).get('rxsync_hub_bus_connected')).toBe(1);
  });

  it('misses nothing and repeats nothing while the bus drops every event, once it works again', async () => {
    cluster = await startCluster(3);
    const room = 'cluster-drop';
    const all = await spread(room);
    const before = await randomEdits(all, 10);
    cluster.network.dropping = true;
    const during = await randomEdits(all, 15);
    await new Promise((resolve) => setTimeout(resolve, 30));
    cluster.network.dropping = false;
    const after = await randomEdits(all, 10);
    await expectConverged(room, all, before + during + after);
    let filled = 0;
    for (const { url } of cluster.hubs) filled += (await scrape(url)).get('rxsync_hub_gap_fill_ops_total') ?? 0;
    expect(filled).toBeGreaterThan(0);
  });

  it('reads what it missed from the log on resync (no probe)', async () => {
    cluster = await startCluster(2, { probeInterval: 3_600_000 });
    const room = 'cluster-resync';
    const [onA, onB] = [await wsClient(cluster.hubs[0]!.url), await wsClient(cluster.hubs[1]!.url)];
    clients.push(onA, onB);
    await onA.hello(room);
    await onB.hello(room);
    cluster.network.dropping = true;
    await onA.send(opsFrame([counterOp('r1'), counterOp('r2')]));
    await onA.waitFor(() => onA.messages('ack').length === 1, 'ack on hub A');
    // Give a lost event every chance to arrive: nothing may reach B without the log.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(opSeqs(onB)).toEqual([]);
    cluster.network.dropping = false;
    cluster.network.resync();
    await onB.waitFor(() => opSeqs(onB).length === 2, 'B to read both ops from the log');
    expect(opSeqs(onB)).toEqual([1, 2]);
    expect((await scrape(cluster.hubs[1]!.url)).get('rxsync_hub_gap_fills_total')).toBe(1);
  });

  it('catches a lost last event with the periodic probe', async () => {
    cluster = await startCluster(2, { probeInterval: 50 });
    const room = 'cluster-probe';
    const [onA, onB] = [await wsClient(cluster.hubs[0]!.url), await wsClient(cluster.hubs[1]!.url)];
    clients.push(onA, onB);
    await onA.hello(room);
    await onB.hello(room);
    cluster.network.dropping = true;
    await onA.send(opsFrame([counterOp('p1')]));
    await onB.waitFor(() => opSeqs(onB).length === 1, 'B to probe the log');
    expect(opSeqs(onB)).toEqual([1]);
  });

  it('delivers exactly once and in order when the bus reorders and repeats events', async () => {
    const buses: ReturnType<typeof unrulyBus>[] = [];
    cluster = await startCluster(3, { probeInterval: 3_600_000 }, (bus) => {
      const unruly = unrulyBus(bus, random);
      buses.push(unruly);
      return unruly;
    });
    const room = 'cluster-unruly';
    const all = await spread(room, 1);
    const total = await randomEdits(all, 40);
    await expectConverged(room, all, total);
    expect(buses.reduce((n, b) => n + b.repeated, 0)).toBeGreaterThan(0);
    expect(buses.reduce((n, b) => n + b.reordered, 0)).toBeGreaterThan(0);
  });

  it('announces a commit too large for one event by its head; the others read the ops from the log', async () => {
    cluster = await startCluster(2, { probeInterval: 3_600_000 });
    const room = 'cluster-large';
    const [onA, onB] = [await wsClient(cluster.hubs[0]!.url), await wsClient(cluster.hubs[1]!.url)];
    clients.push(onA, onB);
    await onA.hello(room);
    await onB.hello(room);
    const big = (i: number): unknown => ({
      id: `big-${i}`,
      doc: `big-${i}`,
      type: 'lww-register',
      body: { type: 'lww-register', v: 1, value: 'x'.repeat(100_000), stamp: `0loyw3v2800${i}n1` },
    });
    await onA.send(opsFrame([big(1), big(2), big(3)]));
    await onB.waitFor(() => opSeqs(onB).length === 3, 'B to read the large commit');
    expect(opSeqs(onB)).toEqual([1, 2, 3]);
    expect((await scrape(cluster.hubs[1]!.url)).get('rxsync_hub_bus_ops_total')).toBe(0);
    expect((await scrape(cluster.hubs[1]!.url)).get('rxsync_hub_gap_fill_ops_total')).toBe(3);
  });

  it('skips, on every hub alike, an op whose document two hubs created with different types at once', async () => {
    cluster = await startCluster(2);
    const room = 'cluster-types';
    const [onA, onB] = [await wsClient(cluster.hubs[0]!.url), await wsClient(cluster.hubs[1]!.url)];
    clients.push(onA, onB);
    await onA.hello(room);
    await onB.hello(room);
    cluster.network.dropping = true;
    await onA.send(opsFrame([counterOp('as-counter', 'x')]));
    await onA.waitFor(() => onA.messages('ack').length === 1, 'ack of the counter');
    // Hub B has not heard of `x` yet: it logs the register as seq 2, then finds seq 1 made `x` a counter.
    const register = { type: 'lww-register', v: 1, value: 'r', stamp: '0loyw3v28001n1' };
    await onB.send(opsFrame([{ id: 'as-register', doc: 'x', type: 'lww-register', body: register }]));
    await onB.waitFor(() => onB.messages('reject').length === 1, 'the register refused');
    expect(onB.messages('reject')[0]!.data).toMatchObject({ ids: ['as-register'], code: 'E_OP_INVALID' });
    cluster.network.dropping = false;
    for (const { hub, url } of cluster.hubs) {
      expect(await hub.head(room)).toBe(2);
      expect(await hub.value(room, 'x')).toEqual({ type: 'pn-counter', value: 1 });
      expect((await scrape(url)).get('rxsync_hub_ops_skipped_total')).toBe(1);
    }
    for (const client of [onA, onB]) expect(opSeqs(client)).toEqual([1]);
    // A client joining later replays without it too.
    const late = await wsClient(cluster.hubs[0]!.url);
    clients.push(late);
    await late.hello(room);
    expect(opSeqs(late)).toEqual([1]);
  });

  it('lets any hub save snapshots of the shared log; a hub loading later starts from one and agrees', async () => {
    cluster = await startCluster(2, { snapshotEvery: 5 });
    const room = 'cluster-snapshot';
    const all = await spread(room, 1);
    const total = await randomEdits(all, 20);
    await expectConverged(room, all, total);
    const snapshot = await cluster.log.snapshot(room);
    expect(snapshot).toBeDefined();
    expect(snapshot!.seq).toBeLessThanOrEqual(total);
    let saved = 0;
    for (const { url } of cluster.hubs) saved += (await scrape(url)).get('rxsync_hub_snapshots_total') ?? 0;
    expect(saved).toBeGreaterThan(0);
    // A third hub joins the cluster now: it loads from the snapshot, and so does its client.
    const bus = cluster.network.bus();
    const late = await startHub({ log: cluster.log, bus, snapshotEvery: 5 });
    cluster.hubs.push({ ...late, bus });
    const reader = await wsClient(late.url);
    clients.push(reader);
    await reader.hello(room);
    expect(reader.messages('snapshot')).toHaveLength(1);
    expect(clientValues(reader)).toEqual(clientValues(all[0]!));
    for (const { doc } of DOCS) expect((await late.hub.value(room, doc))?.value).toEqual(clientValues(all[0]!).get(doc));
  });
});
