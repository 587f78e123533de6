// Signals: rxsync's `signal`/`computed` against @preact/signals-core and alien-signals, measured in
// this run on two shapes: a diamond (a → b, a → c, (b, c) → d) and a chain of 1,000 computeds.
// For each shape: create (build the graph and read the tail once), update + read (set the head,
// read the tail: pull, no subscriber), and update with a subscriber (set the head; a live
// subscription on the tail sees every value: rxsync's `subscribe`, the others' `effect`).
// Contenders are interleaved in rotating order, many short samples, median reported.
import * as preact from '@preact/signals-core';
import * as alien from 'alien-signals';
import { computed, signal } from '../dist/index.js';

const SAMPLES = Number(process.env.BENCH_ITERATIONS ?? 31);
const WARMUP = 3;
const SAMPLE_MS = Number(process.env.SAMPLE_MS ?? 15);
const CHAIN = 1000;

/** One library as the bench drives it: build a graph, set the head, read the tail, watch the tail. */
const libraries = {
  rxsync: {
    signal: (v) => signal(v),
    set: (s, v) => s.set(v),
    get: (s) => s.get(),
    map: (s, fn) => computed([s], fn),
    join: (x, y, fn) => computed([x, y], fn),
    watch: (s, fn) => {
      const subscription = s.subscribe(fn);
      return () => subscription.unsubscribe();
    },
  },
  '@preact/signals-core': {
    signal: (v) => preact.signal(v),
    set: (s, v) => (s.value = v),
    get: (s) => s.value,
    map: (s, fn) => preact.computed(() => fn(s.value)),
    join: (x, y, fn) => preact.computed(() => fn(x.value, y.value)),
    watch: (s, fn) =>
      preact.effect(() => {
        fn(s.value); // no return: a returned function would be taken as the cleanup
      }),
  },
  'alien-signals': {
    signal: (v) => alien.signal(v),
    set: (s, v) => s(v),
    get: (s) => s(),
    map: (s, fn) => alien.computed(() => fn(s())),
    join: (x, y, fn) => alien.computed(() => fn(x(), y())),
    watch: (s, fn) =>
      alien.effect(() => {
        fn(s());
      }),
  },
};

/** Builds a shape on `lib`: returns its head and tail. */
const shapes = {
  diamond: (lib) => {
    const a = lib.signal(0);
    const b = lib.map(a, (v) => v + 1);
    const c = lib.map(a, (v) => v * 2);
    return { head: a, tail: lib.join(b, c, (x, y) => x + y) };
  },
  [`chain of ${CHAIN}`]: (lib) => {
    const head = lib.signal(0);
    let tail = head;
    for (let i = 0; i < CHAIN; i++) tail = lib.map(tail, (v) => v + 1);
    return { head, tail };
  },
};

/** The tail's value for head value `v`, to check every library computes the same thing. */
const expected = { diamond: (v) => v + 1 + v * 2, [`chain of ${CHAIN}`]: (v) => v + CHAIN };

const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];

/** Runs `once` `iterations` times; µs per call. */
function sample(once, iterations) {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) once(i);
  return ((performance.now() - start) * 1000) / iterations;
}

let sink = 0;
const rows = [];
for (const [shapeName, build] of Object.entries(shapes)) {
  for (const operation of ['create', 'update + read', 'update, subscribed']) {
    const contenders = {};
    for (const [libName, lib] of Object.entries(libraries)) {
      if (operation === 'create') {
        contenders[libName] = () => (sink += lib.get(build(lib).tail));
      } else if (operation === 'update + read') {
        const { head, tail } = build(lib);
        let n = 0;
        contenders[libName] = () => {
          lib.set(head, ++n);
          sink += lib.get(tail);
        };
        lib.set(head, 7);
        if (lib.get(tail) !== expected[shapeName](7)) throw new Error(`${libName}: wrong ${shapeName} value`);
      } else {
        const { head, tail } = build(lib);
        let seen = 0;
        lib.watch(tail, (v) => {
          seen = v;
        });
        let n = 0;
        contenders[libName] = () => {
          lib.set(head, ++n);
          sink += seen;
        };
        lib.set(head, 9);
        if (seen !== expected[shapeName](9)) throw new Error(`${libName}: subscriber missed a ${shapeName} value`);
      }
    }
    const names = Object.keys(contenders);
    const iterations = {};
    for (const name of names) iterations[name] = Math.max(10, Math.round((SAMPLE_MS * 1000) / sample(contenders[name], 50)));
    const times = Object.fromEntries(names.map((name) => [name, []]));
    for (let round = 0; round < WARMUP + SAMPLES; round++) {
      const order = names.slice(round % names.length).concat(names.slice(0, round % names.length));
      for (const name of order) {
        const us = sample(contenders[name], iterations[name]);
        if (round >= WARMUP) times[name].push(us);
      }
    }
    const us = Object.fromEntries(names.map((name) => [name, median(times[name])]));
    const fastest = Math.min(us['@preact/signals-core'], us['alien-signals']);
    rows.push({ shapeName, operation, us, ratio: us.rxsync / fastest });
  }
}

console.log(`Signals, median of ${SAMPLES} samples of ~${SAMPLE_MS} ms after ${WARMUP} warm-up rounds (µs per operation)\n`);
console.log('| shape | operation | rxsync | @preact/signals-core | alien-signals | rxsync vs the faster |');
console.log('|---|---|---:|---:|---:|---:|');
for (const r of rows) {
  const f = (v) => (v < 10 ? v.toFixed(3) : v.toFixed(1));
  console.log(
    `| ${r.shapeName} | ${r.operation} | ${f(r.us.rxsync)} | ${f(r.us['@preact/signals-core'])} | ${f(r.us['alien-signals'])} | ${r.ratio.toFixed(2)}× |`,
  );
}
if (sink === 0.5) console.log(sink); // keeps the reads observable to the JIT
