// Transport benchmark: loopback, echo server in a separate process, ~60-byte JSON payloads.
// Compares rxsync's webSocket(...) with raw `ws` in the same run (ping-pong p50/p99 latency and
// pipelined messages/s), and reports SSE and polling round-trip latency.
// Run: npm run build && node bench/transports.bench.mjs   (the file is also the server: --server)
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PINGS = Number(process.env.BENCH_PINGS ?? 2000);
const PIPELINED = Number(process.env.BENCH_PIPELINED ?? 50_000);
const HTTP_PINGS = Number(process.env.BENCH_HTTP_PINGS ?? 300);
const POLL_INTERVAL = 5;

if (process.argv.includes('--server')) await runServer();
else await runClient();

// ---------------------------------------------------------------- server (child process)
async function runServer() {
  const { WebSocketServer } = await import('ws');
  const streams = new Map(); // cid -> SSE response
  const queues = new Map(); // cid -> pending polling lines
  const echoLine = (cid, line) => {
    if (!line.startsWith('{"v":1,"type":"data"')) return; // hello, ping, bye: nothing to echo
    const stream = streams.get(cid);
    if (stream) stream.write(`data: ${line}\n\n`);
    else (queues.get(cid) ?? queues.set(cid, []).get(cid)).push(line);
  };
  const http = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const cid = url.searchParams.get('cid');
    if (url.pathname === '/sse') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(':ok\n\n');
      streams.set(cid, res);
      req.on('close', () => streams.delete(cid));
    } else if (url.pathname === '/poll') {
      const lines = queues.get(cid) ?? [];
      queues.set(cid, []);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(lines.join('\n'));
    } else if (url.pathname === '/send') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        for (const line of body.split('\n')) echoLine(cid, line);
        res.writeHead(204).end();
      });
    } else res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      const text = data.toString();
      // Echo data frames verbatim (raw and rxsync clients send the same frame text).
      if (text.startsWith('{"v":1,"type":"data"')) socket.send(text);
      else if (text.includes('"type":"ping"')) socket.send('{"v":1,"type":"pong"}');
    });
  });
  http.listen(0, '127.0.0.1', () => process.send({ port: http.address().port }));
}

// ---------------------------------------------------------------- client
function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function runClient() {
  const { webSocket, sse, polling } = await import('../dist/transports.js');
  const { default: WebSocket } = await import('ws');
  const { EventSource } = await import('eventsource');
  const child = fork(fileURLToPath(import.meta.url), ['--server'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port } = await new Promise((resolve) => child.once('message', resolve));
  const base = `127.0.0.1:${port}`;
  const payload = (i) => ({ i, kind: 'update', key: 'todo:42', value: 'buy milk!' }); // ~60 bytes of JSON

  // --- raw ws: the anchor. Same frame text, JSON.parse on receipt as an app would.
  async function rawWs() {
    const socket = new WebSocket(`ws://${base}/ws`, { perMessageDeflate: false });
    await new Promise((resolve) => socket.once('open', resolve));
    let onMessage = () => {};
    socket.on('message', (data) => onMessage(JSON.parse(data.toString()).data));
    return {
      send: (message) => socket.send(JSON.stringify({ v: 1, type: 'data', data: message })),
      set onMessage(fn) {
        onMessage = fn;
      },
      close: () => socket.close(),
    };
  }

  // --- any rxsync transport
  async function viaTransport(transport) {
    let onMessage = () => {};
    const subscription = transport.messages$.subscribe((m) => onMessage(m));
    await new Promise((resolve) => {
      const s = transport.status$.subscribe((st) => st.state === 'open' && (resolve(), queueMicrotask(() => s.unsubscribe())));
    });
    return {
      send: (message) => transport.send(message),
      set onMessage(fn) {
        onMessage = fn;
      },
      close: () => subscription.unsubscribe(),
    };
  }

  async function pingPong(client, count) {
    const samples = [];
    for (let i = 0; i < count; i++) {
      const start = process.hrtime.bigint();
      await new Promise((resolve) => {
        client.onMessage = resolve;
        client.send(payload(i));
      });
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return samples;
  }

  async function pipelined(client, count) {
    const start = process.hrtime.bigint();
    await new Promise((resolve) => {
      let got = 0;
      client.onMessage = () => ++got === count && resolve();
      for (let i = 0; i < count; i++) client.send(payload(i));
    });
    return count / (Number(process.hrtime.bigint() - start) / 1e9);
  }

  const makeRx = () => viaTransport(webSocket(`ws://${base}/ws`, { WebSocket, maxBuffered: PIPELINED }));
  const latency = { raw: [], rx: [] };
  const rate = { raw: [], rx: [] };
  // Warm up both paths, then alternate rounds so drift affects both sides alike.
  for (const make of [rawWs, makeRx]) {
    const c = await make();
    await pingPong(c, 500);
    await pipelined(c, 5000);
    c.close();
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, make] of [
      ['raw', rawWs],
      ['rx', makeRx],
    ]) {
      const c = await make();
      latency[name].push(...(await pingPong(c, PINGS)));
      globalThis.gc?.();
      rate[name].push(await pipelined(c, PIPELINED));
      c.close();
      globalThis.gc?.();
    }
  }

  const httpLatency = async (transport) => {
    const c = await viaTransport(transport);
    await pingPong(c, 20);
    const samples = await pingPong(c, HTTP_PINGS);
    c.close();
    return samples.sort((a, b) => a - b);
  };
  const sseSamples = await httpLatency(sse(`http://${base}/sse`, { postUrl: `http://${base}/send`, EventSource }));
  const pollSamples = await httpLatency(polling(`http://${base}/poll`, { postUrl: `http://${base}/send`, interval: POLL_INTERVAL }));

  const sorted = (a) => [...a].sort((x, y) => x - y);
  const median = (a) => sorted(a)[Math.floor(a.length / 2)];
  const rawL = sorted(latency.raw);
  const rxL = sorted(latency.rx);
  const f = (n, d = 3) => n.toFixed(d);
  const rows = [
    [
      'ping-pong p50 (ms)',
      f(percentile(rawL, 50)),
      f(percentile(rxL, 50)),
      f(percentile(rxL, 50) / percentile(rawL, 50), 2) + '×',
      '≤ 1.30×',
    ],
    [
      'ping-pong p99 (ms)',
      f(percentile(rawL, 99)),
      f(percentile(rxL, 99)),
      f(percentile(rxL, 99) / percentile(rawL, 99), 2) + '×',
      '≤ 1.30×',
    ],
    [
      'pipelined (msg/s, median of rounds)',
      f(median(rate.raw), 0),
      f(median(rate.rx), 0),
      f(median(rate.rx) / median(rate.raw), 2) + '×',
      '≥ 0.80×',
    ],
  ];
  console.log(
    `transports: loopback, echo server in a child process, ${PINGS}×${ROUNDS} ping-pongs, ${PIPELINED}×${ROUNDS} pipelined, Node ${process.version}`,
  );
  console.log('');
  console.log('| metric | raw ws (anchor) | rxsync webSocket | ratio | target |');
  console.log('|---|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log('');
  console.log('| HTTP transports (round trip, ms) | p50 | p99 | vs raw ws p50 |');
  console.log('|---|---|---|---|');
  console.log(
    `| sse (EventSource + POST) | ${f(percentile(sseSamples, 50))} | ${f(percentile(sseSamples, 99))} | ${f(percentile(sseSamples, 50) / percentile(rawL, 50), 1)}× |`,
  );
  console.log(
    `| polling (interval ${POLL_INTERVAL} ms) | ${f(percentile(pollSamples, 50))} | ${f(percentile(pollSamples, 99))} | ${f(percentile(pollSamples, 50) / percentile(rawL, 50), 1)}× |`,
  );
  child.kill();
  process.exit(0);
}
