// Hub bus benchmark: what carries "room X committed these ops" between hub processes, on the local
// Redis (RXSYNC_REDIS_URL, default redis://127.0.0.1:6379). Two connections in one process, one
// publishing, the other receiving, for events of ~200 B and ~4 KB (an `ops` event, JSON):
//   - PUBLISH / SUBSCRIBE (the anchor), SPUBLISH / SSUBSCRIBE (sharded pub/sub),
//   - Streams: XADD (MAXLEN ~ 10000) + XREAD BLOCK from the last id,
//   - rxsync's redisBus (pub/sub plus the validation of every received event).
// Two measures per transport: latency with one event in flight (publish, wait for it, next), and
// a burst of N events with up to WINDOW in flight (events/s, and each event's latency under that
// load). Rounds go round-robin over the transports, so a change in the machine's load hits all.
// Run: npm run bench -- bus
import { createClient } from 'redis';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

const URL = process.env.RXSYNC_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 1000);
const BURST = Number(process.env.BENCH_BURST ?? 10_000);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 256);
const SIZES = [
  { name: '~200 B', pad: 60 },
  { name: '~4 KB', pad: 3900 },
];
const prefix = `rxsync-bench:${randomBytes(4).toString('hex')}:`;
const hub = 'bench-hub';

/** An `ops` event whose seq is the event's index (so the receiver finds its send time) padded to size. */
function eventText(index, pad) {
  const op = { id: `op-${index}`, doc: 'doc-1', type: 'lww-map', body: { text: 'x'.repeat(pad) } };
  return JSON.stringify({ kind: 'ops', hub, ops: [{ seq: index + 1, op }] });
}
/** A lost command makes the round's count unreachable: stop loudly instead of hanging. */
const fail = (error) => {
  console.error('bench command failed:', error);
  process.exit(1);
};
const indexOf = (text) => JSON.parse(text).ops[0].seq - 1;

async function connection() {
  const client = createClient({ url: URL });
  client.on('error', (error) => console.error('redis:', error.message));
  await client.connect();
  return client;
}

/** Each transport: `open()` gives `{ send(text), close() }` and calls `onReceive(index)` per event. */
const transports = {
  'PUBLISH / SUBSCRIBE': async (channel, onReceive) => {
    const [pub, sub] = [await connection(), await connection()];
    await sub.subscribe(channel, (message) => onReceive(indexOf(message)));
    return { send: (text) => pub.publish(channel, text).catch(fail), close: () => Promise.all([pub.close(), sub.close()]) };
  },
  'SPUBLISH / SSUBSCRIBE': async (channel, onReceive) => {
    const [pub, sub] = [await connection(), await connection()];
    await sub.sSubscribe(channel, (message) => onReceive(indexOf(message)));
    return { send: (text) => pub.sPublish(channel, text).catch(fail), close: () => Promise.all([pub.close(), sub.close()]) };
  },
  'Streams XADD + XREAD BLOCK': async (key, onReceive) => {
    const [pub, sub] = [await connection(), await connection()];
    let open = true;
    let last = '$';
    const reader = (async () => {
      while (open) {
        // BLOCK returns as soon as an entry arrives; 1 s only bounds the wait at close.
        const reply = await sub.sendCommand(['XREAD', 'COUNT', '1000', 'BLOCK', '1000', 'STREAMS', key, last]);
        if (reply === null) continue;
        for (const [id, fields] of reply[key]) {
          last = id;
          onReceive(indexOf(fields[1]));
        }
      }
    })();
    // The first XREAD with `$` must be waiting before anything is added, or those entries are skipped.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return {
      send: (text) => pub.sendCommand(['XADD', key, 'MAXLEN', '~', '10000', '*', 'e', text]).catch(fail),
      close: async () => {
        open = false;
        await reader;
        await pub.del(key);
        await Promise.all([pub.close(), sub.close()]);
      },
    };
  },
  'rxsync redisBus (pub/sub + validation)': async (room, onReceive) => {
    const { redisBus } = await import('../dist/server.js');
    const [pub, sub] = [await redisBus({ url: URL, prefix }), await redisBus({ url: URL, prefix })];
    await sub.join(room, (notice) => notice.kind === 'ops' && onReceive(notice.ops[0].seq - 1));
    return {
      // The bus takes events, not text: parse outside the timed path's receive side, as a hub holds objects.
      send: (_text, event) => pub.publish(room, event),
      close: () => Promise.all([pub.close(), sub.close()]),
      wantsEvents: true,
    };
  },
};

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** One round of one transport at one size: sequential latency, then a burst. */
async function round(name, size) {
  const channel = `${prefix}${name.replace(/\W+/g, '-')}`;
  let waiting;
  let received = 0;
  let sentAt = [];
  let latencies = [];
  const onReceive = (index) => {
    latencies.push(performance.now() - sentAt[index]);
    received++;
    if (waiting && received >= waiting.count) waiting.resolve();
  };
  const until = (count) => new Promise((resolve) => (received >= count ? resolve() : (waiting = { count, resolve })));
  const link = await transports[name](channel, onReceive);
  const texts = Array.from({ length: Math.max(SEQUENTIAL, BURST) }, (_, i) => eventText(i, size.pad));
  const events = link.wantsEvents ? texts.map((t) => JSON.parse(t)) : [];
  const send = (i) => {
    sentAt[i] = performance.now();
    link.send(texts[i], events[i]);
  };

  for (let i = 0; i < SEQUENTIAL; i++) {
    send(i);
    await until(i + 1);
  }
  const sequential = latencies.slice().sort((a, b) => a - b);

  received = 0;
  latencies = [];
  sentAt = [];
  const start = performance.now();
  for (let i = 0; i < BURST; i++) {
    if (i - received >= WINDOW) await until(i - WINDOW + 1);
    send(i);
  }
  await until(BURST);
  const seconds = (performance.now() - start) / 1000;
  const burst = latencies.slice().sort((a, b) => a - b);
  await link.close();
  return {
    bytes: Buffer.byteLength(texts[0]),
    p50: quantile(sequential, 0.5),
    p99: quantile(sequential, 0.99),
    perSecond: BURST / seconds,
    burstP50: quantile(burst, 0.5),
    burstP99: quantile(burst, 0.99),
  };
}

const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
const f = (n, digits = 3) => n.toFixed(digits);
const k = (n) => Math.round(n).toLocaleString('en-US');

console.log(
  `Redis ${URL}; ${SEQUENTIAL} events one at a time, then ${BURST} with up to ${WINDOW} in flight; median of ${ROUNDS} rounds (round-robin), after a warm-up round`,
);
console.log('');
console.log('| transport | event | one in flight p50 / p99 (ms) | p50 ratio | burst events/s | events/s ratio | burst p50 / p99 (ms) |');
console.log('|---|---|---:|---:|---:|---:|---:|');
const names = Object.keys(transports);
for (const size of SIZES) {
  const results = new Map(names.map((name) => [name, []]));
  for (let r = 0; r <= ROUNDS; r++) {
    for (const name of names) {
      const result = await round(name, size);
      if (r > 0) results.get(name).push(result); // round 0 warms up
    }
  }
  const rows = names.map((name) => {
    const all = results.get(name);
    return { name, ...Object.fromEntries(Object.keys(all[0]).map((key) => [key, median(all.map((result) => result[key]))])) };
  });
  const anchor = rows[0];
  for (const row of rows) {
    console.log(
      `| ${row.name} | ${size.name} (${row.bytes} B) | ${f(row.p50)} / ${f(row.p99)} | ${f(row.p50 / anchor.p50, 2)}× | ${k(row.perSecond)} | ${f(
        row.perSecond / anchor.perSecond,
        2,
      )}× | ${f(row.burstP50, 1)} / ${f(row.burstP99, 1)} |`,
    );
  }
}
