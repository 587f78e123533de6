// Sync hub benchmark: one room, N WebSocket clients on loopback, each editing at a fixed rate.
// The server runs in a child process: the rxsync hub on its SQLite log, or the anchor, a raw `ws`
// server that broadcasts every frame to everyone (no validation, log or acks). The clients run in
// DRIVERS load-driver processes (bench/hubDriver.mjs) and measure fan-out latency from send to
// receipt at every other client. Then: an overload run (the anchor saturated) for memory and loss,
// and ops/s the hub applies (durable in SQLite, acked) under pipelined load.
// Run: npm run build && node bench/hub.bench.mjs   (BENCH_SECONDS, BENCH_CLIENTS + BENCH_PERIOD, DRIVERS)
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lwwOpBody, stopChild } from './benchProcesses.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const DRIVERS = Number(process.env.DRIVERS ?? 2);
const MiB = 1024 * 1024;
const BUDGET = 64 * MiB; // the default limits.outboundBytes
// Rates where the raw anchor is not saturated on this 2-core machine (found by raising the rate
// until the anchor's p50 leaves the millisecond range; see bench/RESULTS.md).
const ONLY = process.env.BENCH_ONLY; // 'fanout', 'overload' or 'burst'
const CONFIGS = process.env.BENCH_CLIENTS
  ? [{ clients: Number(process.env.BENCH_CLIENTS), periodMs: Number(process.env.BENCH_PERIOD ?? 40_000) }]
  : [
      { clients: 100, periodMs: 4000 }, // 25 ops/s in, ~2,500 deliveries/s out
      { clients: 500, periodMs: 20_000 }, // 25 ops/s in, ~12,500 deliveries/s out
      { clients: 1000, periodMs: 80_000 }, // 12.5 ops/s in, ~12,500 deliveries/s out
    ];
const OVERLOAD = { clients: 500, periodMs: 5000 }; // 100 ops/s in, ~50,000 deliveries/s: the anchor saturates
const BURST_CLIENTS = 50;
const BURST_OPS = Number(process.env.BENCH_BURST_OPS ?? 200); // per client

// ---------------------------------------------------------------- server (child process)
async function runServer(kind) {
  let peakRss = 0;
  setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100).unref();
  let head = async () => 0;
  let close = async () => {};
  let port;
  if (kind === 'raw') {
    const { createServer } = await import('node:http');
    const { WebSocketServer } = await import('ws');
    const http = createServer((_req, res) => res.writeHead(404).end());
    const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
    wss.on('connection', (socket) =>
      socket.on('message', (data) => {
        const text = data.toString();
        if (!text.includes('"kind":"ops"')) return;
        for (const client of wss.clients) client.send(text);
      }),
    );
    await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
    port = http.address().port;
  } else {
    const { createHub, openSqliteLog, memoryLog } = await import('../dist/server.js');
    const dir = mkdtempSync(join(tmpdir(), 'rxsync-hub-bench-'));
    // hub: SQLite with synchronous=FULL (the default); hub-normal: WAL with synchronous=NORMAL (safe
    // against a process crash, not a power cut); hub-memory: no durability, the hub's own cost.
    const log =
      kind === 'hub-memory'
        ? memoryLog()
        : await openSqliteLog({ path: join(dir, 'hub.db'), ...(kind === 'hub-normal' ? { synchronous: 'normal' } : {}) });
    const hub = createHub({
      log,
      limits: { maxConnectionsPerRoom: 10_000, messagesPerSecond: 10_000, messageBurst: 10_000, outboundBytes: BUDGET },
      presenceTimeout: 600_000,
    });
    port = (await hub.listen(0, '127.0.0.1')).port;
    head = () => hub.head('bench');
    close = async () => {
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  process.send({ port });
  process.on('message', async (m) => {
    if (m === 'report') process.send({ peakRss, rss: process.memoryUsage().rss, head: await head() });
    if (m === 'stop') {
      await close();
      process.exit(0);
    }
  });
}

// ---------------------------------------------------------------- orchestration (this process)
const here = fileURLToPath(import.meta.url);

function ask(child, message, key) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (key === undefined || m[key] !== undefined) {
        child.off('message', on);
        resolve(m);
      }
    };
    child.on('message', on);
    if (message !== undefined) child.send(message);
  });
}

async function startServer(kind) {
  // BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there (open it in Chrome DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const child = fork(here, ['--server', kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: profile });
  const { port } = await ask(child, undefined, 'port');
  return { child, port };
}

async function startDrivers(port, clients) {
  const drivers = [];
  const per = Math.ceil(clients / DRIVERS);
  for (let first = 0; first < clients; first += per) {
    const child = fork(join(here, '..', 'hubDriver.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = ask(child, { port, first, count: Math.min(per, clients - first), room: 'bench', body: await lwwOpBody() }, 'ready');
    drivers.push({ child, ready });
  }
  await Promise.all(drivers.map((d) => d.ready));
  return drivers.map((d) => d.child);
}

async function runLoad(kind, config, run) {
  const { child, port } = await startServer(kind);
  const drivers = await startDrivers(port, config.clients);
  await new Promise((resolve) => setTimeout(resolve, 500)); // every hello welcomed
  const started = performance.now();
  await Promise.all(drivers.map((d) => ask(d, run, 'done')));
  const seconds = (performance.now() - started) / 1000;
  const server = await ask(child, 'report', 'peakRss');
  const reports = await Promise.all(drivers.map((d) => ask(d, { run: 'stop' }, 'latencies')));
  await stopChild(child, 5000);
  const latencies = Float64Array.from(reports.flatMap((r) => r.latencies)).sort();
  const sum = (key) => reports.reduce((n, r) => n + r[key], 0);
  const lastSeqs = reports.flatMap((r) => r.lastSeqs);
  return {
    seconds,
    sent: sum('sent'),
    unacked: sum('unacked'),
    gaps: sum('gaps'),
    cuts: sum('cuts'),
    atHead: lastSeqs.filter((s) => s === server.head).length,
    head: server.head,
    deliveries: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    peakRss: server.peakRss,
  };
}

function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const fmt = (n) => (Number.isFinite(n) ? n.toFixed(1) : '—');
const mb = (n) => (n / MiB).toFixed(0);

async function runBench() {
  const hubKind = process.env.BENCH_HUB_LOG ?? 'hub';
  console.log(
    `one room, fixed-rate edits for ${SECONDS} s per run, clients in ${DRIVERS} driver processes; latency = send → receipt at every other client\n`,
  );
  console.log(
    '| clients | ops/s in | deliveries (hub / expected) | hub p50 / p99 (ms) | raw ws p50 / p99 (ms) | p50 ratio | p99 ratio | RSS hub / raw (MiB) | RSS ratio |',
  );
  console.log('| ---: | ---: | ---: | --- | --- | ---: | ---: | --- | ---: |');
  const rate = (config, settleMs, acks) => ({ run: 'rate', periodMs: config.periodMs, seconds: SECONDS, settleMs, acks });
  for (const config of ONLY === undefined || ONLY === 'fanout' ? CONFIGS : []) {
    const raw = await runLoad('raw', config, rate(config, 1000, false));
    const hub = await runLoad(hubKind, config, rate(config, 10_000, true));
    console.log(
      `| ${config.clients} | ${(config.clients * 1000) / config.periodMs} | ${hub.deliveries}/${hub.sent * (config.clients - 1)} | ${fmt(hub.p50)} / ${fmt(hub.p99)} | ${fmt(raw.p50)} / ${fmt(raw.p99)} | ${(hub.p50 / raw.p50).toFixed(2)}× | ${(hub.p99 / raw.p99).toFixed(2)}× | ${mb(hub.peakRss)} / ${mb(raw.peakRss)} | ${(hub.peakRss / raw.peakRss).toFixed(2)}× |`,
    );
  }

  if (ONLY === undefined || ONLY === 'overload') await overload(hubKind, rate);
  if (ONLY === undefined || ONLY === 'burst') await burst();
}

async function overload(hubKind, rate) {
  console.log(
    `\noverload: ${OVERLOAD.clients} clients × one op per ${OVERLOAD.periodMs / 1000} s for ${SECONDS} s, then up to 60 s to catch up; hub budget ${mb(BUDGET)} MiB\n`,
  );
  console.log('| server | p50 / p99 (ms) | peak RSS (MiB) | ops sent / acked / in the log | clients at head | cuts (resumed) | seq gaps |');
  console.log('| --- | --- | ---: | --- | ---: | ---: | ---: |');
  const overRaw = await runLoad('raw', OVERLOAD, rate(OVERLOAD, 5000, false));
  console.log(`| raw ws | ${fmt(overRaw.p50)} / ${fmt(overRaw.p99)} | ${mb(overRaw.peakRss)} | ${overRaw.sent} / — / — | — | — | — |`);
  const overHub = await runLoad(hubKind, OVERLOAD, rate(OVERLOAD, 60_000, true));
  console.log(
    `| rxsync hub | ${fmt(overHub.p50)} / ${fmt(overHub.p99)} | ${mb(overHub.peakRss)} | ${overHub.sent} / ${overHub.sent - overHub.unacked} / ${overHub.head} | ${overHub.atHead}/${OVERLOAD.clients} | ${overHub.cuts} | ${overHub.gaps} |`,
  );
}

async function burst() {
  console.log(
    `\nops applied and acked, ${BURST_CLIENTS} clients each pipelining ${BURST_OPS} ops (every op broadcast to all ${BURST_CLIENTS}):\n`,
  );
  console.log('| log | ops/s |');
  console.log('| --- | ---: |');
  for (const [kind, label] of [
    ['hub', 'SQLite, synchronous=FULL (default; ack after fsync)'],
    ['hub-normal', 'SQLite, synchronous=NORMAL (WAL; survives a process crash)'],
    ['hub-memory', 'memoryLog (no durability: the hub alone)'],
  ]) {
    const result = await runLoad(kind, { clients: BURST_CLIENTS }, { run: 'burst', ops: BURST_OPS });
    console.log(`| ${label} | ${Math.round((BURST_CLIENTS * BURST_OPS) / result.seconds)} |`);
  }
}

if (process.argv[2] === '--server') await runServer(process.argv[3]);
else await runBench();
