// Runs in the page: query fan-out and the outbox on the browser's own IndexedDB. Results go to
// `window.benchResults` for the driver (bench/browser.mjs) to print.
import { BehaviorSubject } from 'rxjs';
import localforage from 'localforage';
import { createClient, createOutbox } from '/dist/index.js';
import { localforageStorage } from '/dist/storage.js';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ROUNDS = 7;
const rows = [];

/** N components each calling `client.query` on one key, then M `setData`: ms for the M writes. */
async function fanOut(components, writes) {
  const client = createClient();
  let seen = 0;
  const subscriptions = [];
  for (let i = 0; i < components; i++) {
    subscriptions.push(client.query({ key: ['todos'], fetch: async () => 0 }).subscribe(() => seen++));
  }
  await new Promise((resolve) => setTimeout(resolve, 0)); // let the first fetch settle
  const start = performance.now();
  for (let m = 0; m < writes; m++) client.setData(['todos'], m + 1);
  const ms = performance.now() - start;
  for (const s of subscriptions) s.unsubscribe();
  if (seen < components * writes) throw new Error(`fan-out: ${seen} deliveries, expected ≥ ${components * writes}`);
  return ms;
}

/** The anchor: one BehaviorSubject with N subscribers, M `next`. */
function subjectFanOut(components, writes) {
  const subject = new BehaviorSubject(0);
  let seen = 0;
  const subscriptions = [];
  for (let i = 0; i < components; i++) subscriptions.push(subject.subscribe(() => seen++));
  const start = performance.now();
  for (let m = 0; m < writes; m++) subject.next(m + 1);
  const ms = performance.now() - start;
  for (const s of subscriptions) s.unsubscribe();
  return ms;
}

for (const [components, writes] of [
  [100, 100],
  [1000, 100],
]) {
  const ours = [];
  const anchor = [];
  for (let r = 0; r < ROUNDS + 1; r++) {
    const a = await fanOut(components, writes);
    const b = subjectFanOut(components, writes);
    if (r > 0) {
      ours.push(a);
      anchor.push(b);
    }
  }
  rows.push({
    what: `query fan-out: ${components} components × ${writes} setData`,
    ms: median(ours),
    anchor: median(anchor),
    anchorName: 'BehaviorSubject',
  });
}

const OPS = 1000;
const payload = (i) => ({ id: i, title: `todo number ${i}`, done: i % 2 === 0 });
let db = 0;
const outboxTimes = [];
const batchTimes = [];
for (let r = 0; r < ROUNDS + 1; r++) {
  const outbox = createOutbox({ storage: localforageStorage({ name: `bench-outbox-${db++}` }) });
  await outbox.ready;
  let start = performance.now();
  await Promise.all(Array.from({ length: OPS }, (_, i) => outbox.enqueue('add', payload(i))));
  const ours = performance.now() - start;
  outbox.close();
  const store = localforage.createInstance({ name: `bench-batch-${db++}` });
  await store.ready();
  start = performance.now();
  await store.setItem(
    'ops',
    Array.from({ length: OPS }, (_, i) => payload(i)),
  );
  const batch = performance.now() - start;
  if (r > 0) {
    outboxTimes.push(ours);
    batchTimes.push(batch);
  }
}
rows.push({
  what: `outbox: ${OPS} × enqueue until durable (IndexedDB)`,
  ms: median(outboxTimes),
  anchor: median(batchTimes),
  anchorName: `one localforage setItem of all ${OPS}`,
});
globalThis.benchResults = rows;
