// Codec throughput: encode + decode of realistic sync payloads (1 KB and 64 KB of JSON) through
// the codec chains json, json+gzip, json+encrypt and json+gzip+encrypt, against raw Web Crypto
// (`crypto.subtle.encrypt` then `decrypt`, AES-GCM 256, a fresh IV each, on the same JSON bytes)
// measured in this run. One value at a time, awaited, as a storage write or a sync message is.
// Also prints how well typical sync payloads compress.
import { codecChain, compress, encrypt, json } from '../dist/index.js';

// Many short samples, contenders interleaved: on a shared machine the load drifts, and Web Crypto's
// thread-pool round trip is sensitive to it, so each contender must see the same drift.
const SAMPLES = Number(process.env.BENCH_ITERATIONS ?? 41);
const WARMUP = 3;
const SAMPLE_MS = Number(process.env.SAMPLE_MS ?? 10); // each sample runs about this long
const SIZES = [1024, 64 * 1024];
const subtle = globalThis.crypto.subtle;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** mulberry32: the same payloads on every run. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'buy',
  'oat',
  'milk',
  'call',
  'mum',
  'fix',
  'bike',
  'renew',
  'passport',
  'book',
  'dentist',
  'ship',
  'release',
  'review',
  'PR',
  'water',
  'plants',
  'pay',
  'rent',
  'plan',
  'trip',
  'Köln',
  'café',
  '日本',
];

function todo(random, i) {
  const words = Array.from({ length: 2 + Math.floor(random() * 5) }, () => WORDS[Math.floor(random() * WORDS.length)]);
  return {
    id: `todo-${(i * 7919).toString(36)}`,
    title: words.join(' '),
    done: random() < 0.3,
    tags: random() < 0.5 ? ['home'] : ['work', 'urgent'].slice(0, 1 + Math.floor(random() * 2)),
    owner: `user-${Math.floor(random() * 20)}`,
    updatedAt: 1_764_000_000_000 + Math.floor(random() * 1e9),
  };
}

/** A hybrid-logical-clock-like stamp: wall time, counter, node. */
const stamp = (random, i) =>
  `${(1_764_000_000_000 + i * 13).toString(36)}:${Math.floor(random() * 16).toString(36)}:node-${Math.floor(random() * 4)}`;

/** What one sync batch carries: CRDT ops on a document, each setting a field of a todo record. */
function syncOp(random, i) {
  const record = todo(random, i);
  const field = ['title', 'done', 'tags', 'owner'][i % 4];
  return {
    id: `op-${i.toString(36)}-${Math.floor(random() * 1e9).toString(36)}`,
    doc: 'room:42/todos',
    type: 'lww-set',
    key: `${record.id}.${field}`,
    value: record[field],
    stamp: stamp(random, i),
  };
}

/** Items from `make` until the JSON text reaches `bytes` (then trimmed back under it). */
function payloadOf(make, bytes, seed) {
  const random = seeded(seed);
  const items = [];
  while (encoder.encode(JSON.stringify(items)).length < bytes) items.push(make(random, items.length));
  while (items.length > 1 && encoder.encode(JSON.stringify(items)).length > bytes) items.pop();
  return items;
}

const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];

/** Runs `once` repeatedly for about SAMPLE_MS; returns µs per call. */
async function sample(once, iterations) {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) await once();
  return ((performance.now() - start) * 1000) / iterations;
}

const key = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
const keys = { k1: key };
const chains = {
  json: codecChain([json()]),
  'json+gzip': codecChain([json(), compress({ minBytes: 0 })]),
  'json+encrypt': codecChain([json(), encrypt({ keys, currentKeyId: 'k1' })]),
  'json+gzip+encrypt': codecChain([json(), compress({ minBytes: 0 }), encrypt({ keys, currentKeyId: 'k1' })]),
};
const CONTEXT = 'room:42';

const rows = [];
for (const size of SIZES) {
  const value = payloadOf(syncOp, size, 42);
  const bytes = encoder.encode(JSON.stringify(value));
  const contenders = {
    'raw Web Crypto (anchor)': async () => {
      const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
      const sealed = await subtle.encrypt({ name: 'AES-GCM', iv }, key, bytes);
      await subtle.decrypt({ name: 'AES-GCM', iv }, key, sealed);
    },
    // What an app would write by hand: JSON, then Web Crypto, with no envelope and no AAD.
    'hand-written JSON + Web Crypto': async () => {
      const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
      const sealed = await subtle.encrypt({ name: 'AES-GCM', iv }, key, encoder.encode(JSON.stringify(value)));
      JSON.parse(decoder.decode(await subtle.decrypt({ name: 'AES-GCM', iv }, key, sealed)));
    },
    ...Object.fromEntries(
      Object.entries(chains).map(([name, chain]) => [
        name,
        async () => {
          await chain.decode(await chain.encode(value, CONTEXT), CONTEXT);
        },
      ]),
    ),
    'json+encrypt, text (base64url)': async () => {
      const chain = chains['json+encrypt'];
      await chain.decodeText(await chain.encodeText(value, CONTEXT), CONTEXT);
    },
  };
  // Check every chain round-trips before timing it.
  for (const chain of Object.values(chains)) {
    if (JSON.stringify(await chain.decode(await chain.encode(value, CONTEXT), CONTEXT)) !== JSON.stringify(value))
      throw new Error('round trip');
  }
  // Size each sample from a short calibration run.
  const iterations = {};
  for (const [name, once] of Object.entries(contenders)) {
    const us = await sample(once, 20);
    iterations[name] = Math.max(10, Math.round((SAMPLE_MS * 1000) / us));
  }
  const times = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
  const names = Object.keys(contenders);
  for (let round = 0; round < WARMUP + SAMPLES; round++) {
    // Rotate the order each round so no contender always runs first or last.
    const order = names.slice(round % names.length).concat(names.slice(0, round % names.length));
    for (const name of order) {
      const us = await sample(contenders[name], iterations[name]);
      if (round >= WARMUP) times[name].push(us);
    }
  }
  const anchor = median(times['raw Web Crypto (anchor)']);
  const byHand = median(times['hand-written JSON + Web Crypto']);
  for (const name of names) {
    const us = median(times[name]);
    rows.push({
      size: bytes.length,
      name,
      us,
      mbps: bytes.length / us,
      ratio: us / anchor,
      vsHand: us / byHand,
      encrypts: !['json', 'json+gzip'].includes(name),
    });
  }
}

const kb = (n) => (n >= 1024 ? `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KB` : `${n} B`);
console.log(
  `Codec encode + decode, one value at a time; median of ${SAMPLES} samples of ~${SAMPLE_MS} ms after ${WARMUP} warm-up rounds\n`,
);
console.log('| payload (JSON) | how | µs per encode+decode | MB/s | vs raw Web Crypto | vs hand-written JSON + Web Crypto |');
console.log('|---|---|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${kb(r.size)} (${r.size} B) | ${r.name} | ${r.us.toFixed(1)} | ${r.mbps.toFixed(1)} | ${r.ratio.toFixed(2)}×${r.encrypts ? '' : ' (no encryption)'} | ${r.vsHand.toFixed(2)}× |`,
  );
}

// Compression on typical sync payloads: compressed / JSON bytes, as the envelope stores them.
const families = {
  'sync batch (CRDT ops on todo fields)': syncOp,
  'todo list (records)': (random, i) => todo(random, i),
  'LWW map delta (field → [value, stamp])': (random, i) => [`todo-${i}.title`, [todo(random, i).title, stamp(random, i)]],
};
const gzip = codecChain([json(), compress({ minBytes: 0 })]);
const deflate = codecChain([json(), compress({ minBytes: 0, format: 'deflate-raw' })]);
const plain = codecChain([json()]);
console.log('\nCompression (envelope bytes / plain JSON envelope bytes; smaller is better)\n');
console.log('| payload | JSON bytes | gzip | deflate-raw |');
console.log('|---|---:|---:|---:|');
for (const [label, make] of Object.entries(families)) {
  for (const size of SIZES) {
    const value = payloadOf(make, size, 7);
    const base = (await plain.encode(value)).length;
    const g = (await gzip.encode(value)).length;
    const d = (await deflate.encode(value)).length;
    console.log(`| ${label}, ${kb(size)} | ${base} | ${(g / base).toFixed(2)} | ${(d / base).toFixed(2)} |`);
  }
}
