// Sync hub benchmark: one room, N WebSocket clients on loopback, each editing at a fixed rate.
// The server runs in a child process (the rxsync hub on its SQLite log, or the anchor: a raw `ws`
// server that broadcasts every frame to everyone, with no validation, log or acks); the clients
// run here and measure fan-out latency from send to receipt at every other client. A second
// phase measures ops/s the hub applies (durable in SQLite, acked) under pipelined load.
// Run: npm run build && node bench/hub.bench.mjs
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
// At 1,000 clients one op per 10 s each (100 ops/s, ~100,000 deliveries/s) saturates this 2-core
// machine even for the raw anchor (p50 ~3 s for both): the load generator and the server share two
// cores. One op per 40 s each keeps the anchor healthy, so the ratio measures the hub.
const CONFIGS = (
  process.env.BENCH_CLIENTS
    ? []
    : [
        { clients: 100, periodMs: 1000 }, // 100 ops/s in, 9,900 deliveries/s out
        { clients: 1000, periodMs: 40_000 }, // 25 ops/s in, ~25,000 deliveries/s out
      ]
).concat(
  process.env.BENCH_CLIENTS ? [{ clients: Number(process.env.BENCH_CLIENTS), periodMs: Number(process.env.BENCH_PERIOD ?? 40_000) }] : [],
);
const BURST_CLIENTS = 50;
const BURST_OPS = Number(process.env.BENCH_BURST_OPS ?? 200); // per client

// ---------------------------------------------------------------- server (child process)
async function runServer(kind) {
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
    http.listen(0, '127.0.0.1', () => process.send({ port: http.address().port }));
    return;
  }
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
    limits: { maxConnectionsPerRoom: 10_000, messagesPerSecond: 10_000, messageBurst: 10_000 },
  });
  const { port } = await hub.listen(0, '127.0.0.1');
  process.send({ port });
  process.on('message', async (m) => {
    if (m === 'stop') {
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }
  });
}

// ---------------------------------------------------------------- clients (this process)
function startServer(kind) {
  const child = fork(fileURLToPath(import.meta.url), ['--server', kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve) => child.once('message', ({ port }) => resolve({ child, port })));
}

async function stopServer(child) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (child.connected) child.send('stop');
  setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  await exited;
}

let lww;
async function body(value) {
  lww ??= await import('../dist/index.js');
  const clock = (body.clock ??= lww.createHlc({ nodeId: 'bench' }));
  return lww.lwwMap.encode(lww.lwwMap.set(lww.lwwMap.create(), 'field', value, clock.tick()));
}

function opFrame(id, opBody) {
  return JSON.stringify({ v: 1, type: 'data', data: { kind: 'ops', ops: [{ id, doc: 'board', type: 'lww-map', body: opBody }] } });
}

async function connectAll(WebSocket, port, count, onMessage) {
  const sockets = [];
  for (let start = 0; start < count; start += 50) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + 50); i++) {
      batch.push(
        new Promise((resolve, reject) => {
          const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
          socket.on('open', () => {
            socket.send(JSON.stringify({ v: 1, type: 'hello', lastSeq: 0, room: 'bench' }));
            resolve(socket);
          });
          socket.on('error', reject);
          socket.on('message', (data) => onMessage(i, data.toString()));
        }),
      );
    }
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function fanOut(kind, { clients, periodMs }) {
  const { default: WebSocket } = await import('ws');
  const { child, port } = await startServer(kind);
  const sentAt = new Map();
  const latencies = [];
  let measuring = false;
  const sockets = await connectAll(WebSocket, port, clients, (receiver, text) => {
    if (!measuring) return;
    // Only the op id is needed: find it without parsing the frame, so the load generator (which
    // shares the machine with the server) spends as little as possible per delivery.
    const start = text.indexOf('"id":"c');
    if (start < 0) return;
    const id = text.slice(start + 6, text.indexOf('"', start + 6));
    const sender = Number(id.slice(1, id.indexOf('-')));
    if (sender === receiver) return;
    const at = sentAt.get(id);
    if (at !== undefined) latencies.push(performance.now() - at);
  });
  await new Promise((resolve) => setTimeout(resolve, 500)); // let every hello be welcomed
  const template = await body('x');
  measuring = true;
  const timers = [];
  let sent = 0;
  sockets.forEach((socket, i) => {
    let n = 0;
    const fire = () => {
      const id = `c${i}-${n++}`;
      sentAt.set(id, performance.now());
      socket.send(opFrame(id, template));
      sent++;
    };
    // Random phase so the load is spread, then a fixed period per client.
    timers.push(
      setTimeout(() => {
        fire();
        timers.push(setInterval(fire, periodMs));
      }, Math.random() * periodMs),
    );
  });
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  timers.forEach((t) => clearInterval(t));
  await new Promise((resolve) => setTimeout(resolve, 1000)); // deliveries in flight
  measuring = false;
  sockets.forEach((s) => s.terminate());
  await stopServer(child);
  const sorted = Float64Array.from(latencies).sort();
  return {
    sent,
    deliveries: latencies.length,
    expected: sent * (clients - 1),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
  };
}

async function burst(kind) {
  const { default: WebSocket } = await import('ws');
  const { child, port } = await startServer(kind);
  let acked = 0;
  let done;
  const allAcked = new Promise((resolve) => (done = resolve));
  const total = BURST_CLIENTS * BURST_OPS;
  const sockets = await connectAll(WebSocket, port, BURST_CLIENTS, (_i, text) => {
    const data = JSON.parse(text).data;
    if (data?.kind === 'ack' && (acked += data.ids.length) >= total) done();
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const frames = [];
  for (let i = 0; i < BURST_CLIENTS; i++) for (let n = 0; n < BURST_OPS; n++) frames.push([i, opFrame(`b${i}-${n}`, await body(n))]);
  const started = performance.now();
  for (const [i, frame] of frames) sockets[i].send(frame);
  await allAcked;
  const seconds = (performance.now() - started) / 1000;
  sockets.forEach((s) => s.terminate());
  await stopServer(child);
  return { total, seconds };
}

async function runBench() {
  const fmt = (n) => (Number.isFinite(n) ? n.toFixed(1) : '—');
  console.log(`one room, fixed-rate edits for ${SECONDS} s per run; latency = send → receipt at every other client\n`);
  console.log('| clients | ops/s in | deliveries | rxsync hub p50 / p99 / max (ms) | raw ws broadcast p50 / p99 / max (ms) | p99 ratio |');
  console.log('| ---: | ---: | ---: | --- | --- | ---: |');
  for (const config of CONFIGS) {
    const raw = await fanOut('raw', config);
    const hub = await fanOut(process.env.BENCH_HUB_LOG ?? 'hub', config);
    const rate = (config.clients * 1000) / config.periodMs;
    console.log(
      `| ${config.clients} | ${rate} | ${hub.deliveries}/${hub.expected} | ${fmt(hub.p50)} / ${fmt(hub.p99)} / ${fmt(hub.max)} | ${fmt(raw.p50)} / ${fmt(raw.p99)} / ${fmt(raw.max)} | ${(hub.p99 / raw.p99).toFixed(2)}× |`,
    );
  }
  console.log(`\nops applied and acked, ${BURST_CLIENTS} clients each pipelining ${BURST_OPS} ops:\n`);
  console.log('| log | ops/s |');
  console.log('| --- | ---: |');
  for (const [kind, label] of [
    ['hub', 'SQLite, synchronous=FULL (default; ack after fsync)'],
    ['hub-normal', 'SQLite, synchronous=NORMAL (WAL; survives a process crash)'],
    ['hub-memory', 'memoryLog (no durability: the hub alone)'],
  ]) {
    const { total, seconds } = await burst(kind);
    console.log(`| ${label} | ${Math.round(total / seconds)} |`);
  }
}

if (process.argv[2] === '--server') await runServer(process.argv[3]);
else await runBench();
