// CRDT sync benchmark: two replicas each write 10,000 distinct keys plus the same 1,000 keys
// (conflicts), then exchange versions and deltas until both hold the same 21,000 keys.
// Measures rxsync's LwwMap against Yjs (Y.Map, state-vector sync) and TinyBase (MergeableStore,
// value-hash diff sync) in this one process; prints medians and rxsync's speedup over each. rxsync's
// MvMap runs the same workload (its 1,000 shared keys end as conflicts with two siblings each),
// measured against LwwMap as the anchor.
// Total time = writes + exchange + merge; the sync column is exchange + merge alone.
// Every payload crosses a simulated wire as bytes (JSON text or Yjs binary), counted both ways.
import { createHlc, lwwMap, mvMap, encodeVersion, decodeVersion } from '../dist/index.js';
import * as Y from 'yjs';
import { createMergeableStore } from 'tinybase';

const DISTINCT = 10_000;
const SHARED = 1_000;
const EXPECTED = 2 * DISTINCT + SHARED;
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 9);
const WARMUP = 2;

const encoder = new TextEncoder();
/** Sends JSON text over the simulated wire; returns what the receiver parses and the byte count. */
function wireJson(value) {
  const text = JSON.stringify(value);
  return { received: JSON.parse(text), bytes: encoder.encode(text).length };
}

/** The writes of one replica: `prefix` keys of its own, then the shared keys with its own values. */
function* writes(prefix, sharedSign) {
  for (let i = 0; i < DISTINCT; i++) yield [`${prefix}${i}`, i];
  for (let i = 0; i < SHARED; i++) yield [`shared${i}`, sharedSign * (i + 1)];
}

function rxsync() {
  const clockA = createHlc({ nodeId: 'replicaA', now: Date.now });
  const clockB = createHlc({ nodeId: 'replicaB', now: Date.now });
  const start = performance.now();
  let a = lwwMap.setMany(lwwMap.create(), writes('a', 1), () => clockA.tick());
  let b = lwwMap.setMany(lwwMap.create(), writes('b', -1), () => clockB.tick());
  const written = performance.now();
  let bytes = 0;
  // Each side tells the other what it has seen, then receives only what it lacks.
  const versionOfB = wireJson(encodeVersion(lwwMap.version(b)));
  const versionOfA = wireJson(encodeVersion(lwwMap.version(a)));
  const toB = wireJson(lwwMap.encode(lwwMap.delta(a, decodeVersion('lww-map', 'seen', versionOfB.received))));
  const toA = wireJson(lwwMap.encode(lwwMap.delta(b, decodeVersion('lww-map', 'seen', versionOfA.received))));
  bytes += versionOfA.bytes + versionOfB.bytes + toA.bytes + toB.bytes;
  // Validate and merge in one pass (same result as merge(b, decode(payload))).
  b = lwwMap.mergeEncoded(b, toB.received);
  a = lwwMap.mergeEncoded(a, toA.received);
  const ms = performance.now() - start;
  const va = lwwMap.value(a);
  const vb = lwwMap.value(b);
  return { ms, syncMs: start + ms - written, bytes, sizes: [lwwMap.size(a), lwwMap.size(b)], same: sameRecords(va, vb) };
}

// The same exchange with the per-field multi-value map: concurrent writes to a shared key are both
// kept (a conflict), so the values agree on the newest sibling and 1,000 fields are in conflict.
function rxsyncMvMap() {
  const clockA = createHlc({ nodeId: 'replicaA', now: Date.now });
  const clockB = createHlc({ nodeId: 'replicaB', now: Date.now });
  const start = performance.now();
  let a = mvMap.setMany(mvMap.create(), writes('a', 1), () => clockA.tick());
  let b = mvMap.setMany(mvMap.create(), writes('b', -1), () => clockB.tick());
  const written = performance.now();
  const versionOfB = wireJson(encodeVersion(mvMap.version(b)));
  const versionOfA = wireJson(encodeVersion(mvMap.version(a)));
  const toB = wireJson(mvMap.encode(mvMap.delta(a, decodeVersion('mv-map', 'seen', versionOfB.received))));
  const toA = wireJson(mvMap.encode(mvMap.delta(b, decodeVersion('mv-map', 'seen', versionOfA.received))));
  const bytes = versionOfA.bytes + versionOfB.bytes + toA.bytes + toB.bytes;
  b = mvMap.merge(b, mvMap.decode(toB.received));
  a = mvMap.merge(a, mvMap.decode(toA.received));
  const ms = performance.now() - start;
  const va = mvMap.value(a);
  const vb = mvMap.value(b);
  const conflicts = Object.keys(mvMap.conflicts(a)).length;
  if (conflicts !== SHARED) throw new Error(`mvMap kept ${conflicts} conflicts, expected ${SHARED}`);
  return { ms, syncMs: start + ms - written, bytes, sizes: [Object.keys(va).length, Object.keys(vb).length], same: sameRecords(va, vb) };
}

function yjs() {
  const docA = new Y.Doc();
  const docB = new Y.Doc();
  const start = performance.now();
  docA.transact(() => {
    const map = docA.getMap('m');
    for (const [k, v] of writes('a', 1)) map.set(k, v);
  });
  docB.transact(() => {
    const map = docB.getMap('m');
    for (const [k, v] of writes('b', -1)) map.set(k, v);
  });
  const written = performance.now();
  const svA = Y.encodeStateVector(docA);
  const svB = Y.encodeStateVector(docB);
  const toB = Y.encodeStateAsUpdate(docA, svB);
  const toA = Y.encodeStateAsUpdate(docB, svA);
  Y.applyUpdate(docB, toB);
  Y.applyUpdate(docA, toA);
  const ms = performance.now() - start;
  const bytes = svA.length + svB.length + toA.length + toB.length;
  const ma = docA.getMap('m').toJSON();
  const mb = docB.getMap('m').toJSON();
  return { ms, syncMs: start + ms - written, bytes, sizes: [Object.keys(ma).length, Object.keys(mb).length], same: sameRecords(ma, mb) };
}

function tinybase() {
  const storeA = createMergeableStore('replicaA');
  const storeB = createMergeableStore('replicaB');
  const start = performance.now();
  storeA.transaction(() => {
    for (const [k, v] of writes('a', 1)) storeA.setValue(k, v);
  });
  storeB.transaction(() => {
    for (const [k, v] of writes('b', -1)) storeB.setValue(k, v);
  });
  const written = performance.now();
  // TinyBase's own delta step: send value hashes, get back only the differing values.
  const hashesOfB = wireJson(storeB.getMergeableValueHashes());
  const hashesOfA = wireJson(storeA.getMergeableValueHashes());
  const toB = wireJson(storeA.getMergeableValueDiff(hashesOfB.received));
  const toA = wireJson(storeB.getMergeableValueDiff(hashesOfA.received));
  storeB.applyMergeableChanges([[{}], toB.received, 1]);
  storeA.applyMergeableChanges([[{}], toA.received, 1]);
  const ms = performance.now() - start;
  const bytes = hashesOfA.bytes + hashesOfB.bytes + toA.bytes + toB.bytes;
  const va = storeA.getValues();
  const vb = storeB.getValues();
  return { ms, syncMs: start + ms - written, bytes, sizes: [Object.keys(va).length, Object.keys(vb).length], same: sameRecords(va, vb) };
}

function sameRecords(x, y) {
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && x[k] === y[k]);
}

function median(numbers) {
  const sorted = [...numbers].sort((p, q) => p - q);
  return sorted[Math.floor(sorted.length / 2)];
}

const contenders = { rxsync, rxsyncMvMap, yjs, tinybase };
const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, { ms: [], syncMs: [], bytes: [] }]));
for (let i = 0; i < WARMUP + ITERATIONS; i++) {
  // Rotate the order each round so no contender always runs first (cold) or last.
  const names = Object.keys(contenders);
  const order = names.slice(i % names.length).concat(names.slice(0, i % names.length));
  for (const name of order) {
    globalThis.gc?.();
    const result = contenders[name]();
    if (result.sizes[0] !== EXPECTED || result.sizes[1] !== EXPECTED || !result.same) {
      throw new Error(`${name} did not converge: sizes ${result.sizes.join('/')}, equal=${result.same}`);
    }
    if (i >= WARMUP) {
      samples[name].ms.push(result.ms);
      samples[name].syncMs.push(result.syncMs);
      samples[name].bytes.push(result.bytes);
    }
  }
}

const ours = { ms: median(samples.rxsync.ms), syncMs: median(samples.rxsync.syncMs), bytes: median(samples.rxsync.bytes) };
console.log(
  `LwwMap sync: 2 replicas x (${DISTINCT} distinct + ${SHARED} shared keys) -> ${EXPECTED} keys; median of ${ITERATIONS} runs (write + exchange + merge)\n`,
);
console.log(
  '| library | median ms (total) | of which sync ms | bytes exchanged | rxsync speedup (total) | rxsync speedup (sync) | rxsync bytes / theirs |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const name of Object.keys(contenders)) {
  const ms = median(samples[name].ms);
  const syncMs = median(samples[name].syncMs);
  const bytes = median(samples[name].bytes);
  const speedup = name === 'rxsync' ? '1.00x' : `${(ms / ours.ms).toFixed(2)}x`;
  const syncSpeedup = name === 'rxsync' ? '1.00x' : `${(syncMs / ours.syncMs).toFixed(2)}x`;
  const byteRatio = name === 'rxsync' ? '1.00' : (ours.bytes / bytes).toFixed(2);
  console.log(`| ${name} | ${ms.toFixed(1)} | ${syncMs.toFixed(1)} | ${bytes} | ${speedup} | ${syncSpeedup} | ${byteRatio} |`);
}
const vsYjs = median(samples.yjs.ms) / ours.ms;
const mvOverLww = median(samples.rxsyncMvMap.ms) / ours.ms;
console.log(`\nmvMap / lwwMap time (same process, same workload): ${mvOverLww.toFixed(2)}x`);
const vsTinyBase = median(samples.tinybase.ms) / ours.ms;
const bytesOk = ours.bytes <= median(samples.yjs.bytes);
console.log(
  `\ntargets: >=3x faster than Yjs: ${vsYjs >= 3 ? 'met' : 'MISSED'} (${vsYjs.toFixed(2)}x); ` +
    `>=5x faster than TinyBase: ${vsTinyBase >= 5 ? 'met' : 'MISSED'} (${vsTinyBase.toFixed(2)}x); ` +
    `bytes <= Yjs: ${bytesOk ? 'met' : 'MISSED'}`,
);
