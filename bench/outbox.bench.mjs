// Outbox group commit: 1,000 ops queued one by one through the API, timed until every one is
// durable, against localforage `setItem` one by one (1,000 transactions) and one batched
// `setItem` of all 1,000 (one transaction), on the same IndexedDB (fake-indexeddb in Node).
// Then the replay of 1,000 queued ops with a pipelining window of 1 and of 256.
import 'fake-indexeddb/auto';
import localforage from 'localforage';
import { BehaviorSubject } from 'rxjs';
import { createOutbox } from '../dist/index.js';
import { localforageStorage } from '../dist/storage.js';

const OPS = Number(process.env.OPS ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const payload = (i) => ({ id: i, title: `todo number ${i}`, done: i % 2 === 0 });
let db = 0;

async function time(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function outboxRun() {
  const storage = localforageStorage({ name: `bench-outbox-${db++}` });
  const outbox = createOutbox({ storage }); // no sender registered: measures queueing only
  await outbox.ready;
  const ms = await time(() => Promise.all(Array.from({ length: OPS }, (_, i) => outbox.enqueue('add', payload(i)))));
  if (outbox.pendingOps().length !== OPS) throw new Error('not all queued');
  outbox.close();
  return ms;
}

async function oneByOne() {
  const store = localforage.createInstance({ name: `bench-single-${db++}` });
  await store.ready();
  return time(() => Promise.all(Array.from({ length: OPS }, (_, i) => store.setItem(`op:${i}`, payload(i)))));
}

async function batched() {
  const store = localforage.createInstance({ name: `bench-batch-${db++}` });
  await store.ready();
  return time(() =>
    store.setItem(
      'ops',
      Array.from({ length: OPS }, (_, i) => payload(i)),
    ),
  );
}

const results = { outbox: [], oneByOne: [], batched: [] };
for (let r = 0; r < ROUNDS + 1; r++) {
  const round = { outbox: await outboxRun(), oneByOne: await oneByOne(), batched: await batched() };
  if (r > 0) for (const k of Object.keys(round)) results[k].push(round[k]); // first round warms up
}
const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
console.log(
  `Outbox: ${OPS} ops queued one by one until all durable (ms, median of ${ROUNDS}; IndexedDB via localforage on fake-indexeddb)\n`,
);
console.log('| how | ms | vs one batched setItem |');
console.log('|---|---:|---:|');
console.log(`| rxsync outbox, ${OPS} × \`enqueue\` (group commit) | ${m.outbox.toFixed(1)} | ${(m.outbox / m.batched).toFixed(2)}× |`);
console.log(`| localforage, ${OPS} × \`setItem\` | ${m.oneByOne.toFixed(1)} | ${(m.oneByOne / m.batched).toFixed(2)}× |`);
console.log(`| localforage, 1 \`setItem\` of all ${OPS} | ${m.batched.toFixed(1)} | 1.00× |`);

// Pipelining: 1,000 queued ops replayed until all settled, one at a time (window 1) vs up to 256
// in flight (window 256), through a sender that answers after a macrotask (setImmediate: mostly
// the outbox's own cost) and one that answers after 1 ms (a round trip on a fast network).
async function replayRun(window, answer) {
  const storage = localforageStorage({ name: `bench-window-${db++}` });
  const online$ = new BehaviorSubject(false);
  const outbox = createOutbox({ storage, online$ });
  await Promise.all(Array.from({ length: OPS }, (_, i) => outbox.enqueue('add', payload(i))));
  outbox.register('add', () => new Promise((resolve) => answer(resolve)), { window });
  const ms = await time(async () => {
    online$.next(true);
    await outbox.drained();
  });
  outbox.close();
  return ms;
}

const answers = {
  setImmediate: (resolve) => setImmediate(resolve),
  '1 ms': (resolve) => setTimeout(resolve, 1),
};
console.log(`\nOutbox replay: ${OPS} queued ops sent until all settled (ms, median of ${ROUNDS}; same storage as above)\n`);
console.log('| sender answers after | window 1 | window 256 | window 256 vs window 1 |');
console.log('|---|---:|---:|---:|');
for (const [label, answer] of Object.entries(answers)) {
  const replay = { w1: [], w256: [] };
  for (let r = 0; r < ROUNDS + 1; r++) {
    const round = { w1: await replayRun(1, answer), w256: await replayRun(256, answer) };
    if (r > 0) for (const k of Object.keys(round)) replay[k].push(round[k]); // first round warms up
  }
  const w1 = median(replay.w1);
  const w256 = median(replay.w256);
  console.log(`| ${label} | ${w1.toFixed(1)} | ${w256.toFixed(1)} | ${(w256 / w1).toFixed(2)}× (${(w1 / w256).toFixed(1)}× faster) |`);
}
