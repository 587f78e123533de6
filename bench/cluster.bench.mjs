// Cluster benchmark: the same clients and load on 1 hub over SQLite (the anchor), 1 hub over
// PostgreSQL, and 2 and 3 hubs over PostgreSQL + Redis. Every hub is its own process; the clients
// (one room) sit in DRIVERS load-driver processes (bench/hubDriver.mjs), client i on hub i % hubs.
// Two runs per setup:
//   - rate: each client sends one op per PERIOD ms (random phase) for SECONDS; latency = send →
//     receipt at every other client (across processes on one wall clock), split into same-hub and
//     cross-hub deliveries; the cross/same ratio is what crossing Redis costs.
//   - burst: BURST_CLIENTS clients pipeline BURST_OPS ops each; ops applied (acked) and deliveries
//     per second.
// Every client must end at the room's head with no seq gap: the cluster delivers every op once, in order.
// Run: npm run bench -- cluster   (BENCH_SECONDS, BENCH_CLIENTS, BENCH_PERIOD, DRIVERS, BENCH_ONLY=rate|burst,
//   BENCH_SETUPS, RXSYNC_PG_URL, RXSYNC_REDIS_URL; PostgreSQL and Redis on 127.0.0.1 by default)
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lwwOpBody, stopChild } from './benchProcesses.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const DRIVERS = Number(process.env.DRIVERS ?? 2);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 120);
const PERIOD = Number(process.env.BENCH_PERIOD ?? 4000); // 120 clients: 30 ops/s in, ~3,600 deliveries/s out
const BURST_CLIENTS = 30;
const BURST_OPS = Number(process.env.BENCH_BURST_OPS ?? 100);
const ONLY = process.env.BENCH_ONLY;
const PG_URL = process.env.RXSYNC_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.RXSYNC_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOM = 'bench';
const MiB = 1024 * 1024;

// BENCH_SETUPS=sqlite,pg picks some (the first one picked is the anchor of the ratios).
const SETUPS = [
  { key: 'sqlite', name: '1 hub, SQLite', log: 'sqlite', hubs: 1 },
  { key: 'pg', name: '1 hub, PostgreSQL', log: 'postgres', hubs: 1 },
  { key: 'pg-redis-2', name: '2 hubs, PostgreSQL + Redis', log: 'postgres', hubs: 2, bus: true },
  { key: 'pg-redis-3', name: '3 hubs, PostgreSQL + Redis', log: 'postgres', hubs: 3, bus: true },
].filter((setup) => process.env.BENCH_SETUPS === undefined || process.env.BENCH_SETUPS.split(',').includes(setup.key));

// ---------------------------------------------------------------- one hub (child process)
async function runHub({ log: kind, schema, prefix, bus: withBus }) {
  let peakRss = 0;
  setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100).unref();
  const server = await import('../dist/server.js');
  const dir = mkdtempSync(join(tmpdir(), 'rxsync-cluster-bench-'));
  const log =
    kind === 'sqlite'
      ? await server.openSqliteLog({ path: join(dir, 'hub.db') })
      : await server.postgresLog({ connectionString: PG_URL, schema });
  const bus = withBus ? await server.redisBus({ url: REDIS_URL, prefix }) : undefined;
  const hub = server.createHub({
    log,
    ...(bus !== undefined ? { bus } : {}),
    limits: { maxConnectionsPerRoom: 10_000, messagesPerSecond: 10_000, messageBurst: 10_000 },
    presenceTimeout: 600_000,
    logger: server.defaultLogger('warn'),
  });
  const { port } = await hub.listen(0, '127.0.0.1');
  process.send({ port });
  process.on('message', async (m) => {
    if (m === 'report') process.send({ peakRss, head: await hub.head(ROOM) });
    if (m === 'stop') {
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }
  });
}

// ---------------------------------------------------------------- orchestration (this process)
const here = fileURLToPath(import.meta.url);

function ask(child, message, key) {
  return new Promise((resolve, reject) => {
    const on = (m) => {
      if (key === undefined || m[key] !== undefined) {
        child.off('message', on);
        child.off('exit', exited);
        resolve(m);
      }
    };
    const exited = (code) => reject(new Error(`a benchmark process exited (${code}) while we waited for ${key}`));
    child.on('message', on);
    child.once('exit', exited);
    if (message !== undefined) child.send(message);
  });
}

/** Drops the run's PostgreSQL schema (each run starts on an empty log). */
async function dropSchema(schema) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

let runs = 0;
async function runLoad(setup, clients, run) {
  const schema = `bench_cluster_${process.pid}_${++runs}`;
  const prefix = `bench-cluster-${process.pid}-${runs}:`;
  const hubs = [];
  try {
    for (let i = 0; i < setup.hubs; i++) {
      const child = fork(here, ['--hub', JSON.stringify({ log: setup.log, schema, prefix, bus: setup.bus === true })], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      hubs.push({ child, port: (await ask(child, undefined, 'port')).port });
    }
    const ports = hubs.map((h) => h.port);
    const drivers = [];
    const per = Math.ceil(clients / DRIVERS);
    for (let first = 0; first < clients; first += per) {
      const child = fork(join(here, '..', 'hubDriver.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      drivers.push({
        child,
        ready: ask(child, { ports, first, count: Math.min(per, clients - first), room: ROOM, body: await lwwOpBody() }, 'ready'),
      });
    }
    await Promise.all(drivers.map((d) => d.ready));
    await new Promise((resolve) => setTimeout(resolve, 500)); // every hello welcomed
    const started = performance.now();
    await Promise.all(drivers.map((d) => ask(d.child, run, 'done')));
    const seconds = (performance.now() - started) / 1000;
    // A burst ends at the last ack; deliveries to clients on other hubs may still be on their way.
    if (run.run === 'burst') await new Promise((resolve) => setTimeout(resolve, 3000));
    const servers = await Promise.all(hubs.map((h) => ask(h.child, 'report', 'peakRss')));
    const reports = await Promise.all(drivers.map((d) => ask(d.child, { run: 'stop' }, 'latencies')));
    const sorted = (key) => Float64Array.from(reports.flatMap((r) => r[key])).sort();
    const sum = (key) => reports.reduce((n, r) => n + r[key], 0);
    const head = Math.max(...servers.map((s) => s.head));
    const latencies = sorted('latencies');
    const cross = sorted('cross');
    const same = subtractSorted(latencies, cross);
    return {
      seconds,
      sent: sum('sent'),
      unacked: sum('unacked'),
      gaps: sum('gaps'),
      cuts: sum('cuts'),
      atHead: reports.flatMap((r) => r.lastSeqs).filter((s) => s === head).length,
      head,
      deliveries: latencies.length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      crossP50: percentile(cross, 50),
      crossP99: percentile(cross, 99),
      sameP50: percentile(same, 50),
      sameP99: percentile(same, 99),
      peakRss: Math.max(...servers.map((s) => s.peakRss)),
    };
  } finally {
    await Promise.all(hubs.map((h) => stopChild(h.child)));
    if (setup.log === 'postgres') await dropSchema(schema);
  }
}

/** The values of sorted `all` once each value of sorted `some` (a sub-multiset) is taken out. */
function subtractSorted(all, some) {
  const out = [];
  let j = 0;
  for (const value of all) {
    if (j < some.length && some[j] === value) j++;
    else out.push(value);
  }
  return Float64Array.from(out);
}

function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const fmt = (n) => (Number.isFinite(n) ? n.toFixed(1) : '—');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '—');
const integrity = (r, clients) => `${r.atHead}/${clients} at head ${r.head}, ${r.gaps} gaps, ${r.unacked} unacked`;

async function runBench() {
  console.log(
    `one room, ${CLIENTS} clients in ${DRIVERS} driver processes, client i on hub i mod hubs; PostgreSQL ${new URL(PG_URL).host}, Redis ${new URL(REDIS_URL).host}\n`,
  );
  if (ONLY === undefined || ONLY === 'rate') {
    console.log(
      `rate: one op per client every ${PERIOD} ms (${(CLIENTS * 1000) / PERIOD} ops/s in) for ${SECONDS} s; latency send → receipt at every other client\n`,
    );
    console.log(
      '| setup | ops/s applied | deliveries/s | p50 / p99 (ms) | p50 / p99 vs SQLite | same-hub p50 / p99 | cross-hub p50 / p99 | cross / same p50, p99 | peak RSS per hub (MiB) | integrity |',
    );
    console.log('| --- | ---: | ---: | --- | --- | --- | --- | --- | ---: | --- |');
    let anchor;
    for (const setup of SETUPS) {
      const r = await runLoad(setup, CLIENTS, { run: 'rate', periodMs: PERIOD, seconds: SECONDS, settleMs: 15_000, acks: true });
      anchor ??= r;
      console.log(
        `| ${setup.name} | ${fmt((r.sent - r.unacked) / SECONDS)} | ${fmt(r.deliveries / SECONDS)} | ${fmt(r.p50)} / ${fmt(r.p99)} | ${ratio(r.p50, anchor.p50)} / ${ratio(r.p99, anchor.p99)} | ${fmt(r.sameP50)} / ${fmt(r.sameP99)} | ${fmt(r.crossP50)} / ${fmt(r.crossP99)} | ${ratio(r.crossP50, r.sameP50)}, ${ratio(r.crossP99, r.sameP99)} | ${(r.peakRss / MiB).toFixed(0)} | ${integrity(r, CLIENTS)} |`,
      );
      if (setup.hubs === 3)
        console.log(
          `\ngoal: 3-hub p99 within 2× the single SQLite hub's: ${r.p99 <= 2 * anchor.p99 ? 'met' : 'missed'} (${ratio(r.p99, anchor.p99)})`,
        );
    }
  }
  if (ONLY === undefined || ONLY === 'burst') {
    console.log(`\nburst: ${BURST_CLIENTS} clients each pipelining ${BURST_OPS} ops (every op delivered to all ${BURST_CLIENTS})\n`);
    console.log('| setup | ops/s applied (acked) | deliveries/s (applied × clients) | vs SQLite | integrity (3 s after the last ack) |');
    console.log('| --- | ---: | ---: | ---: | --- |');
    let anchor;
    for (const setup of SETUPS) {
      const r = await runLoad(setup, BURST_CLIENTS, { run: 'burst', ops: BURST_OPS });
      const applied = (BURST_CLIENTS * BURST_OPS) / r.seconds;
      anchor ??= applied;
      console.log(
        `| ${setup.name} | ${fmt(applied)} | ${fmt(applied * BURST_CLIENTS)} | ${ratio(applied, anchor)} | ${integrity(r, BURST_CLIENTS)} |`,
      );
    }
  }
}

if (process.argv[2] === '--hub') await runHub(JSON.parse(process.argv[3]));
else await runBench();
