import fc from 'fast-check';

/**
 * Shared fast-check settings: `SEED=` replays a run, `FC_RUNS=` deepens it (the deep tier).
 * The seed is printed once per test file so any failure in CI can be replayed locally.
 */
const envSeed = process.env['SEED'];
export const seed: number = envSeed !== undefined && envSeed !== '' ? Number(envSeed) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;

let printed = false;

/** Parameters for `fc.assert`: `runs` is the default-tier count, `FC_RUNS` overrides it. */
export function fcParams<T>(runs: number, extra: fc.Parameters<T> = {}): fc.Parameters<T> {
  if (!printed) {
    printed = true;
    // One line per file: enough to replay with SEED=<n>.
    console.log(`fast-check seed ${seed} (replay with SEED=${seed}); FC_RUNS=${process.env['FC_RUNS'] ?? 'default'}`);
  }
  const deep = process.env['FC_RUNS'];
  return { seed, numRuns: deep !== undefined && deep !== '' ? Number(deep) : runs, ...extra };
}

/** A seeded PRNG (mulberry32) for randomized schedules outside fast-check; same seed, same run. */
export function seededRandom(initial: number = seed): () => number {
  let a = initial >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
