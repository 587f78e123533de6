// Query fan-out, cache-hit reads, memory and start-up: rxsync against TanStack Query's core and
// plain RxJS / Map baselines, all measured in this same process. Results are medians of several rounds.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BehaviorSubject } from 'rxjs';
import { QueryClient, QueryObserver, dehydrate, hydrate, notifyManager } from '@tanstack/query-core';
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

/**
 * {@link rounds} for several contenders, taking turns round by round, so a change in the load on
 * a shared machine falls on all of them instead of on whichever ran at that moment.
 */
function alternateRounds(setups) {
  const samples = Object.fromEntries(Object.keys(setups).map((name) => [name, []]));
  const checks = {};
  for (let r = 0; r < ROUNDS + 1; r++) {
    for (const [name, setup] of Object.entries(setups)) {
      const run = setup();
      globalThis.gc?.();
      const { ns, result } = time(run.measure);
      run.teardown?.();
      if (r > 0) samples[name].push(ns); // first round warms the JIT
      checks[name] = result;
    }
  }
  return Object.fromEntries(Object.keys(setups).map((name) => [name, { ns: median(samples[name]), check: checks[name] }]));
}

// ── fan-out: one key, N subscribers, M setData updates ──
const fetchNothing = () => -1;

/** One `query$` Observable subscribed N times (subscribers share everything the Observable holds). */
function fanoutShared() {
  const client = createClient();
  const key = ['todos'];
  client.setData(key, -1);
  const query$ = client.query({ key, fetch: fetchNothing, staleTime: Infinity });
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

/** What components do: each calls `client.query(...)` itself (its own options and key array) and subscribes once. */
function fanoutPerComponent() {
  const client = createClient();
  client.setData(['todos'], -1);
  let calls = 0;
  const subs = [];
  for (let i = 0; i < SUBSCRIBERS; i++) {
    subs.push(client.query({ key: ['todos'], fetch: fetchNothing, staleTime: Infinity }).subscribe(() => calls++));
  }
  return {
    measure() {
      calls = 0;
      for (let i = 0; i < UPDATES; i++) client.setData(['todos'], i);
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
    const observer = new QueryObserver(client, { queryKey: ['todos'], queryFn: fetchNothing, staleTime: Infinity });
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

// ── memory: heap bytes per cached entry, per subscribed component, and after subscribe/unsubscribe cycles ──
const ENTRIES = Number(process.env.ENTRIES ?? 10_000);
const COMPONENTS = Number(process.env.COMPONENTS ?? 10_000);
const CYCLES = Number(process.env.CYCLES ?? 100_000);
const MEMORY_ROUNDS = Number(process.env.MEMORY_ROUNDS ?? 3);

/** Heap in use after pending tasks ran (libraries release some things in a later task) and a full gc. */
async function heapUsed() {
  if (globalThis.gc === undefined) throw new Error('run with node --expose-gc (npm run bench does)');
  for (let turn = 0; turn < 3; turn++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    globalThis.gc();
  }
  return process.memoryUsage().heapUsed;
}

/**
 * Bytes per item that `build(n)` keeps reachable, measured in a fresh Node process per sample:
 * in one process, what a previous sample released is sometimes only freed during the next one
 * (seen with TanStack's observers), which would skew the difference.
 */
function bytesPer(name) {
  const samples = [];
  for (let r = 0; r < MEMORY_ROUNDS; r++) {
    const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)], {
      env: { ...process.env, QUERY_BENCH_SAMPLE: name },
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`memory sample ${name} failed: ${child.stderr}`);
    samples.push(Number(child.stdout.trim()));
  }
  return median(samples);
}

/** Child-process side of {@link bytesPer}: warms up, then prints bytes per item of one build. */
async function sampleBytes(count, build) {
  build(100).teardown(); // first-use allocations (JIT, shapes, module state) are not per item
  const before = await heapUsed();
  const built = build(count);
  const after = await heapUsed();
  built.teardown();
  return (after - before) / count;
}

const entriesRxsync = (n) => {
  const client = createClient();
  for (let i = 0; i < n; i++) client.setData(['todo', i], { id: i });
  return { teardown: () => client.clear() };
};
const entriesTanstack = (n) => {
  const client = new QueryClient();
  for (let i = 0; i < n; i++) client.setQueryData(['todo', i], { id: i });
  return { teardown: () => client.clear() };
};
// Each component makes its own options object, key array and listener, in both libraries.
const componentsRxsync = (n) => {
  const client = createClient();
  client.setData(['todos'], []);
  const subs = [];
  for (let i = 0; i < n; i++) subs.push(client.query({ key: ['todos'], fetch: fetchNothing, staleTime: Infinity }).subscribe(() => {}));
  return {
    teardown() {
      subs.forEach((s) => s.unsubscribe());
      client.clear();
    },
  };
};
const componentsTanstack = (n) => {
  const client = new QueryClient();
  client.setQueryData(['todos'], []);
  const unsubs = [];
  for (let i = 0; i < n; i++) {
    unsubs.push(new QueryObserver(client, { queryKey: ['todos'], queryFn: fetchNothing, staleTime: Infinity }).subscribe(() => {}));
  }
  return {
    teardown() {
      unsubs.forEach((u) => u());
      client.clear();
    },
  };
};

/** Heap growth (bytes, after gc) over `cycles` subscribe/unsubscribe pairs on one observed key. */
function leak(cycle) {
  return async (cycles) => {
    const { step, teardown } = cycle();
    for (let i = 0; i < 1000; i++) step(); // warm up: first-use allocations are not a leak
    const before = await heapUsed();
    for (let i = 0; i < cycles; i++) step();
    const after = await heapUsed();
    teardown();
    return after - before;
  };
}
const cyclesRxsync = leak(() => {
  const client = createClient();
  client.setData(['todos'], []);
  const anchor = client.query({ key: ['todos'], fetch: fetchNothing, staleTime: Infinity }).subscribe(() => {});
  return {
    step: () =>
      client
        .query({ key: ['todos'], fetch: fetchNothing, staleTime: Infinity })
        .subscribe(() => {})
        .unsubscribe(),
    teardown() {
      anchor.unsubscribe();
      client.clear();
    },
  };
});
const cyclesTanstack = leak(() => {
  const client = new QueryClient();
  client.setQueryData(['todos'], []);
  const anchor = new QueryObserver(client, { queryKey: ['todos'], queryFn: fetchNothing, staleTime: Infinity }).subscribe(() => {});
  return {
    step: () => new QueryObserver(client, { queryKey: ['todos'], queryFn: fetchNothing, staleTime: Infinity }).subscribe(() => {})(),
    teardown() {
      anchor();
      client.clear();
    },
  };
});

// ── start-up: hydrate a 1,000-entry snapshot into a new client, then the first read ──
const HYDRATED = Number(process.env.HYDRATED ?? 1000);
const HYDRATE_ROUNDS = Number(process.env.HYDRATE_ROUNDS ?? 41);

/**
 * Medians of hydrate and first-read times, the two libraries in alternate rounds, so both meet
 * the same heap and JIT state and the same load on the machine. (No forced gc between rounds: a
 * forced full gc flushes compiled code, and every round after it ran unoptimised, ~15× slower.)
 */
function hydrateRounds(contenders) {
  const times = Object.fromEntries(Object.keys(contenders).map((name) => [name, { hydrate: [], read: [] }]));
  for (let r = 0; r < HYDRATE_ROUNDS + 5; r++) {
    for (const [name, { snapshot, start }] of Object.entries(contenders)) {
      const t0 = process.hrtime.bigint();
      const read = start(snapshot);
      const t1 = process.hrtime.bigint();
      const value = read.first();
      const t2 = process.hrtime.bigint();
      if (value?.id !== 0) throw new Error(`${name} hydrate: first entry missing`);
      read.teardown();
      if (r >= 5) {
        times[name].hydrate.push(Number(t1 - t0));
        times[name].read.push(Number(t2 - t1));
      }
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, t]) => [name, { hydrate: median(t.hydrate), read: median(t.read) }]));
}

function snapshotRxsync() {
  const client = createClient();
  for (let i = 0; i < HYDRATED; i++) client.setData(['todo', i], { id: i, title: `todo ${i}`, done: i % 2 === 0 });
  const snapshot = JSON.parse(JSON.stringify(client.dehydrate())); // as it arrives from the server
  client.clear();
  return snapshot;
}
function snapshotTanstack() {
  const client = new QueryClient();
  for (let i = 0; i < HYDRATED; i++) client.setQueryData(['todo', i], { id: i, title: `todo ${i}`, done: i % 2 === 0 });
  const snapshot = JSON.parse(JSON.stringify(dehydrate(client)));
  client.clear();
  return snapshot;
}
const hydrateRxsync = (snapshot) => {
  const client = createClient();
  client.hydrate(snapshot);
  return { first: () => client.getData(['todo', 0]), teardown: () => client.clear() };
};
const hydrateTanstack = (snapshot) => {
  const client = new QueryClient();
  hydrate(client, snapshot);
  return { first: () => client.getQueryData(['todo', 0]), teardown: () => client.clear() };
};

// ── run and print ──
const sampled = process.env.QUERY_BENCH_SAMPLE;
if (sampled !== undefined) {
  const builds = { entriesRxsync, entriesTanstack, componentsRxsync, componentsTanstack };
  const count = sampled.startsWith('entries') ? ENTRIES : COMPONENTS;
  console.log(await sampleBytes(count, builds[sampled]));
  process.exit(0);
}
// Start-up first, as in an app: hydrate runs when the process (the page) has just started, before
// other work has warmed the JIT or filled the heap. Printed last.
const startUp = hydrateRounds({
  rxsync: { snapshot: snapshotRxsync(), start: hydrateRxsync },
  tanstack: { snapshot: snapshotTanstack(), start: hydrateTanstack },
});
const fan = alternateRounds({
  perComponent: fanoutPerComponent,
  shared: fanoutShared,
  tanstack: fanoutTanstack,
  subject: fanoutSubject,
});
const expected = SUBSCRIBERS * UPDATES;
for (const [name, r] of Object.entries(fan)) {
  if (r.check !== expected) throw new Error(`${name}: ${r.check} listener calls, expected ${expected}`);
}
const fanOps = SUBSCRIBERS * UPDATES;
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
console.log(
  `Fan-out: 1 key, ${SUBSCRIBERS} subscribers, ${UPDATES} setData (ns per update × subscriber, median of ${ROUNDS} alternate rounds)\n`,
);
console.log('| implementation | ns / update×subscriber | ÷ BehaviorSubject | TanStack ÷ this |');
console.log('|---|---:|---:|---:|');
for (const [name, label] of [
  ['perComponent', 'rxsync, each component calls `client.query()` (headline)'],
  ['shared', 'rxsync, one `query$` subscribed by every component'],
  ['tanstack', '@tanstack/query-core, a `QueryObserver` per component (sync notify)'],
  ['subject', 'RxJS `BehaviorSubject` (no cache, baseline)'],
]) {
  console.log(
    `| ${label} | ${fmt(perOp(fan[name], fanOps))} | ${ratio(fan[name].ns, fan.subject.ns)} | ${ratio(fan.tanstack.ns, fan[name].ns)} |`,
  );
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

const memory = {
  entry: { rxsync: bytesPer('entriesRxsync'), tanstack: bytesPer('entriesTanstack') },
  component: { rxsync: bytesPer('componentsRxsync'), tanstack: bytesPer('componentsTanstack') },
  cycles: { rxsync: await cyclesRxsync(CYCLES), tanstack: await cyclesTanstack(CYCLES) },
};
console.log(`\nMemory: heap bytes after gc (process.memoryUsage().heapUsed), median of ${MEMORY_ROUNDS}\n`);
console.log('| what | rxsync | TanStack | rxsync ÷ TanStack |');
console.log('|---|---:|---:|---:|');
console.log(
  `| per cached entry (${ENTRIES} \`setData\`, key \`['todo', i]\`, data \`{ id }\`) | ${fmt(memory.entry.rxsync)} B | ${fmt(memory.entry.tanstack)} B | ${ratio(memory.entry.rxsync, memory.entry.tanstack)} |`,
);
console.log(
  `| per subscribed component (${COMPONENTS} on one key) | ${fmt(memory.component.rxsync)} B | ${fmt(memory.component.tanstack)} B | ${ratio(memory.component.rxsync, memory.component.tanstack)} |`,
);
console.log(
  `| heap growth over ${CYCLES} subscribe/unsubscribe cycles | ${(memory.cycles.rxsync / 1024).toFixed(1)} KiB | ${(memory.cycles.tanstack / 1024).toFixed(1)} KiB | — |`,
);

console.log(
  `\nStart-up: hydrate ${HYDRATED} entries into a new client, then the first getData (µs, median of ${HYDRATE_ROUNDS} alternate rounds)\n`,
);
console.log('| implementation | hydrate | first read | rxsync ÷ TanStack (hydrate + read) |');
console.log('|---|---:|---:|---:|');
const us = (ns) => (ns / 1000).toFixed(ns < 10_000 ? 2 : 0);
console.log(
  `| rxsync \`client.hydrate\` + \`getData\` | ${us(startUp.rxsync.hydrate)} | ${us(startUp.rxsync.read)} | ${ratio(startUp.rxsync.hydrate + startUp.rxsync.read, startUp.tanstack.hydrate + startUp.tanstack.read)} |`,
);
console.log(`| TanStack \`hydrate\` + \`getQueryData\` | ${us(startUp.tanstack.hydrate)} | ${us(startUp.tanstack.read)} | 1.00× |`);
