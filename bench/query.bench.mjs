// Query fan-out and cache-hit reads: rxsync against TanStack Query's core and plain RxJS /
// Map baselines, all measured in this same process. Results are medians of several rounds.
import { BehaviorSubject } from 'rxjs';
import { QueryClient, QueryObserver, notifyManager } from '@tanstack/query-core';
import { createClient } from '../dist/index.js';

const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 1000);
const UPDATES = Number(process.env.UPDATES ?? 10_000);
const READS = Number(process.env.READS ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

// TanStack notifies listeners in a later task by default; make it synchronous so every
// subscriber sees every update, as in rxsync, and the work compared is the same.
notifyManager.setScheduler((cb) => cb());

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(fn) {
  const start = process.hrtime.bigint();
  const result = fn();
  return { ns: Number(process.hrtime.bigint() - start), result };
}
function rounds(setup) {
  const samples = [];
  let check;
  for (let r = 0; r < ROUNDS + 1; r++) {
    const run = setup();
    globalThis.gc?.();
    const { ns, result } = time(run.measure);
    run.teardown?.();
    if (r > 0) samples.push(ns); // first round warms the JIT
    check = result;
  }
  return { ns: median(samples), check };
}

// ── fan-out: one query, N subscribers, M setData updates ──
function fanoutRxsync() {
  const client = createClient();
  const key = ['todos'];
  client.setData(key, -1);
  const query$ = client.query({ key, fetch: () => -1, staleTime: Infinity });
  let calls = 0;
  const subs = [];
  for (let i = 0; i < SUBSCRIBERS; i++) subs.push(query$.subscribe(() => calls++));
  return {
    measure() {
      calls = 0;
      for (let i = 0; i < UPDATES; i++) client.setData(key, i);
      return calls;
    },
    teardown() {
      subs.forEach((s) => s.unsubscribe());
      client.clear();
    },
  };
}

function fanoutTanstack() {
  const client = new QueryClient();
  const key = ['todos'];
  client.setQueryData(key, -1);
  let calls = 0;
  const unsubs = [];
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const observer = new QueryObserver(client, { queryKey: key, queryFn: () => -1, staleTime: Infinity });
    unsubs.push(observer.subscribe(() => calls++));
  }
  return {
    measure() {
      calls = 0;
      for (let i = 0; i < UPDATES; i++) client.setQueryData(key, i);
      return calls;
    },
    teardown() {
      unsubs.forEach((u) => u());
      client.clear();
    },
  };
}

function fanoutSubject() {
  const subject = new BehaviorSubject(-1);
  let calls = 0;
  const subs = [];
  for (let i = 0; i < SUBSCRIBERS; i++) subs.push(subject.subscribe(() => calls++));
  return {
    measure() {
      calls = 0;
      for (let i = 0; i < UPDATES; i++) subject.next(i);
      return calls;
    },
    teardown: () => subs.forEach((s) => s.unsubscribe()),
  };
}

// ── cache hit: synchronous reads of a fresh query by key ──
function readsRxsync(freshKeyEachRead) {
  const client = createClient();
  const stored = ['todos', 42];
  client.setData(stored, { id: 42 });
  return {
    measure() {
      let found = 0;
      for (let i = 0; i < READS; i++) if (client.getData(freshKeyEachRead ? ['todos', 42] : stored) !== undefined) found++;
      return found;
    },
    teardown: () => client.clear(),
  };
}

function readsTanstack(freshKeyEachRead) {
  const client = new QueryClient();
  const stored = ['todos', 42];
  client.setQueryData(stored, { id: 42 });
  return {
    measure() {
      let found = 0;
      for (let i = 0; i < READS; i++) if (client.getQueryData(freshKeyEachRead ? ['todos', 42] : stored) !== undefined) found++;
      return found;
    },
    teardown: () => client.clear(),
  };
}

function readsMap() {
  const map = new Map([['["todos",42]', { id: 42 }]]);
  return {
    measure() {
      let found = 0;
      for (let i = 0; i < READS; i++) if (map.get('["todos",42]') !== undefined) found++;
      return found;
    },
  };
}

const perOp = (r, ops) => r.ns / ops;
const fmt = (n) => (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));

const fan = { rxsync: rounds(fanoutRxsync), tanstack: rounds(fanoutTanstack), subject: rounds(fanoutSubject) };
const expected = SUBSCRIBERS * UPDATES;
for (const [name, r] of Object.entries(fan)) {
  if (r.check !== expected) throw new Error(`${name}: ${r.check} listener calls, expected ${expected}`);
}
const fanOps = SUBSCRIBERS * UPDATES;
console.log(`Fan-out: 1 query, ${SUBSCRIBERS} subscribers, ${UPDATES} setData (ns per update × subscriber, median of ${ROUNDS})\n`);
console.log('| implementation | ns / update×subscriber | rxsync speed-up |');
console.log('|---|---:|---:|');
for (const [name, label] of [
  ['rxsync', 'rxsync `client.query` + `setData`'],
  ['tanstack', '@tanstack/query-core `QueryObserver` + `setQueryData` (sync notify)'],
  ['subject', 'RxJS `BehaviorSubject` (no cache, baseline)'],
]) {
  console.log(`| ${label} | ${fmt(perOp(fan[name], fanOps))} | ${(fan[name].ns / fan.rxsync.ns).toFixed(2)}× |`);
}

const reads = {
  rxsyncSame: rounds(() => readsRxsync(false)),
  rxsyncNew: rounds(() => readsRxsync(true)),
  tanstackSame: rounds(() => readsTanstack(false)),
  tanstackNew: rounds(() => readsTanstack(true)),
  map: rounds(readsMap),
};
for (const [name, r] of Object.entries(reads)) if (r.check !== READS) throw new Error(`${name}: ${r.check} hits, expected ${READS}`);
console.log(`\nCache hit: ${READS} synchronous reads of a fresh query (ns per read, median of ${ROUNDS})\n`);
console.log('| implementation | same key array | new key array per read |');
console.log('|---|---:|---:|');
console.log(`| rxsync \`getData\` | ${fmt(perOp(reads.rxsyncSame, READS))} | ${fmt(perOp(reads.rxsyncNew, READS))} |`);
console.log(`| TanStack \`getQueryData\` | ${fmt(perOp(reads.tanstackSame, READS))} | ${fmt(perOp(reads.tanstackNew, READS))} |`);
console.log(`| \`Map.get\` (string key, baseline) | ${fmt(perOp(reads.map, READS))} | — |`);
console.log(
  `\nrxsync vs TanStack reads: ${(reads.tanstackSame.ns / reads.rxsyncSame.ns).toFixed(1)}× (same array), ${(reads.tanstackNew.ns / reads.rxsyncNew.ns).toFixed(1)}× (new array)`,
);
