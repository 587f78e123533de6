import { codecChain } from '../../../lib/codec/codecChain.js';
import { encrypt } from '../../../lib/codec/stages.js';
import { deepTier, newKey } from './helpers.js';

// The IV sits at bytes [5, 17) of an envelope whose key id is two bytes long.
const IV_START = 2 + 1 + 2;

describe('IV uniqueness', () => {
  it('no IV repeats across many encryptions under one key (1,000,000 in the deep tier)', async () => {
    const count = deepTier() ? 1_000_000 : 100_000;
    const codec = codecChain([encrypt({ keys: { k1: await newKey() }, currentKeyId: 'k1' })]);
    const payload = new Uint8Array(1);
    const seen = new Set<string>();
    const started = performance.now();
    const BATCH = 5_000;
    for (let done = 0; done < count; done += BATCH) {
      const envelopes = await Promise.all(Array.from({ length: Math.min(BATCH, count - done) }, () => codec.encode(payload)));
      for (const envelope of envelopes) seen.add(String.fromCharCode(...envelope.subarray(IV_START, IV_START + 12)));
    }
    console.log(`${count} encryptions, ${seen.size} distinct IVs, ${Math.round(performance.now() - started)} ms`);
    expect(seen.size).toBe(count);
  }, 600_000);
});
