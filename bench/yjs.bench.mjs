// Collaborative text: Yjs documents through rxsync's hub (the `yjs` live type) against the usual
// way to run Yjs, y-websocket's own server (`@y/websocket-server`) with its `WebsocketProvider`.
// Servers run in child processes; both clients run here and reach the server through a counting
// TCP proxy (bytes on the wire, WebSocket framing included, both directions).
//   keystroke: a writer types one character every PERIOD ms; latency = insert → the reader's text
//              has it; bytes = everything on both clients' sockets during the run / keystrokes
//   sync:      a 100k-character text (1,000 edits of 100 characters) is on the server; a new
//              client connects: time until its text holds all of it, and the bytes it took
// Run: npm run build && node bench/yjs.bench.mjs   (BENCH_KEYS, BENCH_PERIOD; BENCH_SERVERS=hub-memory,hub)
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createTcpServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { stopChild } from './benchProcesses.mjs';

const KEYS = Number(process.env.BENCH_KEYS ?? 400);
const PERIOD = Number(process.env.BENCH_PERIOD ?? 25);
const WARMUP = 20;
const SYNC_EDITS = 1000;
const SYNC_CHUNK = 'abcdefghij'.repeat(10); // 100 characters
const LARGE_KEYS = 50;

// ---------------------------------------------------------------- servers (child processes)
async function runServer(kind) {
  let port;
  let close = async () => {};
  if (kind === 'y-websocket') {
    // What `npx y-websocket` runs (src/server.js), on a port of our choosing.
    const { createServer } = await import('node:http');
    const { setupWSConnection } = await import('@y/websocket-server/utils');
    const { WebSocketServer } = await import('ws');
    const wss = new WebSocketServer({ noServer: true });
    const http = createServer((_req, res) => res.writeHead(200).end('okay'));
    wss.on('connection', setupWSConnection);
    http.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
    await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
    port = http.address().port;
  } else {
    const { createHub, openSqliteLog, memoryLog } = await import('../dist/server.js');
    const dir = mkdtempSync(join(tmpdir(), 'rxsync-yjs-bench-'));
    const log = kind === 'hub-memory' ? memoryLog() : await openSqliteLog({ path: join(dir, 'hub.db') });
    // Limits raised so the 1,000-edit history goes in at full speed (y-websocket has none).
    const hub = createHub({ log, limits: { messagesPerSecond: 10_000, messageBurst: 10_000 } });
    port = (await hub.listen(0, '127.0.0.1')).port;
    close = async () => {
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  process.send({ port });
  process.on('message', async (m) => {
    if (m === 'stop') {
      await close();
      process.exit(0);
    }
  });
}

const here = fileURLToPath(import.meta.url);

async function startServer(kind) {
  const child = fork(here, ['--server', kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise((resolve) => child.once('message', (m) => resolve(m.port)));
  return { child, port };
}

// ---------------------------------------------------------------- counting proxy (this process)
async function countingProxy(target) {
  const bytes = { up: 0, down: 0 };
  const sockets = new Set();
  // While `timing`, when each connection's chunks passed (to split latency into client, server, reader).
  const proxy = { timing: false, connections: [] };
  const server = createTcpServer((client) => {
    const upstream = tcpConnect(target, '127.0.0.1');
    const times = { ups: [], downs: [], upBytes: 0 };
    proxy.connections.push(times);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      bytes.up += chunk.length;
      if (proxy.timing) {
        times.ups.push(performance.now());
        times.upBytes += chunk.length;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      bytes.down += chunk.length;
      if (proxy.timing) times.downs.push(performance.now());
      client.write(chunk);
    });
    const end = () => (client.destroy(), upstream.destroy());
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(proxy, {
    port: server.address().port,
    bytes,
    total: () => bytes.up + bytes.down,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  });
}

/**
 * Median time of each leg of a keystroke: writer (insert → its frame at the proxy), server (that
 * frame → the first frame to the reader after it), reader (that frame → the reader's text has it).
 */
function legs(connections, sentAt, latencies) {
  const [writer, ...others] = [...connections].sort((a, b) => b.upBytes - a.upBytes);
  const reader = others.sort((a, b) => b.downs.length - a.downs.length)[0];
  const after = (list, t) => list.find((x) => x >= t) ?? NaN;
  const parts = { writer: [], server: [], reader: [] };
  for (let i = WARMUP; i < sentAt.length; i++) {
    const up = after(writer.ups, sentAt[i]);
    const down = after(reader.downs, up);
    parts.writer.push(up - sentAt[i]);
    parts.server.push(down - up);
    parts.reader.push(sentAt[i] + latencies[i] - down);
  }
  const median = (list) => percentile(Float64Array.from(list.filter(Number.isFinite)).sort(), 50);
  return { writer: median(parts.writer), server: median(parts.server), reader: median(parts.reader) };
}

// ---------------------------------------------------------------- clients (this process)
/** A client on `kind`'s server: its Y.Text, a promise for "joined and synced", close(). */
async function connect(kind, port, room) {
  if (kind === 'y-websocket') {
    const { WebsocketProvider } = await import('y-websocket');
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(`ws://127.0.0.1:${port}`, room, doc, { WebSocketPolyfill: WebSocket, disableBc: true });
    const synced = new Promise((resolve) => provider.once('sync', resolve));
    return { text: doc.getText('body'), synced, close: () => (provider.destroy(), doc.destroy()) };
  }
  const lib = await import('../dist/index.js');
  const { webSocket } = await import('../dist/transports.js');
  const { yjsDocuments } = await import('../dist/yjs.js');
  const outbox = lib.createOutbox({ storage: lib.memoryStorage() });
  const client = lib.createClient({ outbox, live: lib.liveDocuments.with(yjsDocuments) });
  const transport = webSocket(`ws://127.0.0.1:${port}/ws`, { WebSocket, hello: { room } });
  const handle = client.live({ room, doc: 'body', type: 'yjs', transport });
  const synced = new Promise((resolve) => {
    const sub = handle.status$.subscribe((s) => s.joined && (resolve(), queueMicrotask(() => sub.unsubscribe())));
  });
  return {
    text: handle.ydoc.getText('body'),
    synced,
    pending: () => outbox.pending$.get(),
    close: () => (handle.close(), outbox.close()),
  };
}

const until = async (check, what, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** One writer types KEYS characters, PERIOD ms apart; the reader times each one's arrival. */
async function keystrokes(kind, port, proxy) {
  const room = `keys-${kind}`;
  const writer = await connect(kind, proxy.port, room);
  const reader = await connect(kind, proxy.port, room);
  await Promise.all([writer.synced, reader.synced]);
  await sleep(300); // handshakes and awareness settled
  const sentAt = [];
  const latencies = [];
  reader.text.observe(() => {
    const now = performance.now();
    while (latencies.length < reader.text.length && latencies.length < sentAt.length) latencies.push(now - sentAt[latencies.length]);
  });
  const before = { up: proxy.bytes.up, down: proxy.bytes.down };
  proxy.timing = true;
  for (let i = 0; i < KEYS; i++) {
    sentAt.push(performance.now());
    writer.text.insert(writer.text.length, String.fromCharCode(97 + (i % 26)));
    await sleep(PERIOD);
  }
  await until(() => latencies.length === KEYS, 'every keystroke arrived');
  proxy.timing = false;
  const split = legs(proxy.connections, sentAt, latencies);
  await sleep(500); // acknowledgements
  const bytes = { up: proxy.bytes.up - before.up, down: proxy.bytes.down - before.down };
  const sorted = Float64Array.from(latencies.slice(WARMUP)).sort();
  writer.close();
  reader.close();
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), perKey: (bytes.up + bytes.down) / KEYS, bytes, split };
}

/** A 100k-character text is on the server; a new client connects and loads it. */
async function syncLarge(kind, port, proxy) {
  const room = `large-${kind}`;
  const writer = await connect(kind, port, room);
  await writer.synced;
  for (let i = 0; i < SYNC_EDITS; i++) writer.text.insert(writer.text.length, SYNC_CHUNK);
  const size = SYNC_EDITS * SYNC_CHUNK.length;
  // The server has it all: a first reader got it (and, for rxsync, the outbox is empty).
  const first = await connect(kind, port, room);
  await until(() => first.text.length === size && (writer.pending?.() ?? 0) === 0, 'the server holds the text');
  first.close();
  const before = proxy.total();
  const started = performance.now();
  const fresh = await connect(kind, proxy.port, room);
  await until(() => fresh.text.length === size, 'the new client has the text');
  const ms = performance.now() - started;
  await sleep(200);
  const bytes = proxy.total() - before;
  // Keystrokes into the large text: does their cost grow with the document?
  const latencies = [];
  let sent = 0;
  fresh.text.observe(() => latencies.push(performance.now() - sent));
  for (let i = 0; i < LARGE_KEYS; i++) {
    sent = performance.now();
    writer.text.insert(writer.text.length, 'x');
    await until(() => fresh.text.length === size + i + 1, 'a keystroke into the large text');
    await sleep(PERIOD);
  }
  fresh.close();
  writer.close();
  return { ms, bytes, keyP50: percentile(Float64Array.from(latencies).sort(), 50) };
}

// ---------------------------------------------------------------- orchestration
async function measure(kind) {
  const { child, port } = await startServer(kind);
  const proxy = await countingProxy(port);
  try {
    return { keys: await keystrokes(kind, port, proxy), sync: await syncLarge(kind, port, proxy) };
  } finally {
    await proxy.close();
    await stopChild(child, 5000);
  }
}

const ms = (n) => (Number.isFinite(n) ? n.toFixed(2) : '—');
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;

async function runBench() {
  console.log(
    `${KEYS} keystrokes, one every ${PERIOD} ms, writer → server → reader on loopback (first ${WARMUP} not timed); sync: ${SYNC_EDITS} edits × ${SYNC_CHUNK.length} characters\n`,
  );
  const anchor = await measure('y-websocket');
  const rows = [['y-websocket (anchor)', anchor]];
  for (const [kind, label] of [
    ['hub-memory', 'rxsync hub, memory log'],
    ['hub', 'rxsync hub, SQLite log (default)'],
  ].filter(([kind]) => !process.env.BENCH_SERVERS || process.env.BENCH_SERVERS.split(',').includes(kind))) {
    rows.push([label, await measure(kind)]);
  }
  console.log(
    '| server | keystroke p50 / p99 (ms) | ratio p50 / p99 | median writer / server / reader (ms) | bytes per keystroke (up + down) | ratio | 100k sync (ms) | ratio | 100k sync bytes | ratio | keystroke p50 in the 100k text (ms) | ratio |',
  );
  console.log('| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [label, r] of rows) {
    console.log(
      `| ${label} | ${ms(r.keys.p50)} / ${ms(r.keys.p99)} | ${ratio(r.keys.p50, anchor.keys.p50)} / ${ratio(r.keys.p99, anchor.keys.p99)} | ${ms(r.keys.split.writer)} / ${ms(r.keys.split.server)} / ${ms(r.keys.split.reader)} | ${r.keys.perKey.toFixed(0)} (${(r.keys.bytes.up / KEYS).toFixed(0)} + ${(r.keys.bytes.down / KEYS).toFixed(0)}) | ${ratio(r.keys.perKey, anchor.keys.perKey)} | ${r.sync.ms.toFixed(0)} | ${ratio(r.sync.ms, anchor.sync.ms)} | ${r.sync.bytes} | ${ratio(r.sync.bytes, anchor.sync.bytes)} | ${ms(r.sync.keyP50)} | ${ratio(r.sync.keyP50, anchor.sync.keyP50)} |`,
    );
  }
}

if (process.argv[2] === '--server') await runServer(process.argv[3]);
else {
  await runBench();
  process.exit(0);
}
