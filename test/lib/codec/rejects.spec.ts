import fc from 'fast-check';
import { codecChain } from '../../../lib/codec/codecChain.js';
import { rejectCounter } from '../../../lib/codec/codecErrors.js';
import { compress, encrypt, json } from '../../../lib/codec/stages.js';
import { fcParams, seed } from '../../support/fc.js';
import { deepTier, newKey, rejectionOf } from './helpers.js';

let k1: CryptoKey;
let k2: CryptoKey;
beforeAll(async () => {
  k1 = await newKey();
  k2 = await newKey();
});

const REJECT_CODES = ['E_DECRYPT', 'E_KEY_UNKNOWN', 'E_ENVELOPE', 'E_TOO_LARGE'];

describe('every single-bit flip of an encrypted envelope is rejected', () => {
  it.each([
    ['json+encrypt', false],
    ['json+gzip+encrypt', true],
  ])('%s', async (_name, compressed) => {
    const rejects = rejectCounter();
    const stages = compressed
      ? ([json(), compress({ minBytes: 0 }), encrypt({ keys: { k1, k2 }, currentKeyId: 'k2' })] as const)
      : ([json(), encrypt({ keys: { k1, k2 }, currentKeyId: 'k2' })] as const);
    const codec = codecChain(stages, { onReject: rejects.onReject });
    // Many messages (sizes vary), every bit of each flipped in turn.
    const messages = fc.sample(fc.tuple(fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 12 })), {
      seed,
      numRuns: deepTier() ? 300 : 25,
    });
    let flips = 0;
    for (const [value, context] of messages) {
      const envelope = await codec.encode(value, context);
      for (let bit = 0; bit < envelope.length * 8; bit++) {
        const tampered = envelope.slice();
        tampered[bit >> 3]! ^= 1 << (bit & 7);
        const error = await rejectionOf(codec.decode(tampered, context));
        expect(REJECT_CODES).toContain(error.code);
        flips++;
      }
    }
    expect(rejects.total()).toBe(flips);
    console.log(`${flips} single-bit flips over ${messages.length} envelopes, all rejected`, rejects.counts);
  });
});

describe('coded rejections', () => {
  it('an envelope sealed for document A is refused in document B (and with no context)', async () => {
    const codec = codecChain([json(), encrypt({ keys: { k1 }, currentKeyId: 'k1' })]);
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.string(), fc.string(), async (value, a, b) => {
        fc.pre(a !== b);
        const envelope = await codec.encode(value, a);
        expect((await rejectionOf(codec.decode(envelope, b))).code).toBe('E_DECRYPT');
      }),
      fcParams(100),
    );
  });

  it('unknown key id → E_KEY_UNKNOWN; same id, wrong key → E_DECRYPT', async () => {
    const rejects = rejectCounter();
    const writer = codecChain([json(), encrypt({ keys: { k1 }, currentKeyId: 'k1' })]);
    const envelope = await writer.encode({ secret: 1 }, 'doc');
    const stranger = codecChain([json(), encrypt({ keys: { k2 }, currentKeyId: 'k2' })], { onReject: rejects.onReject });
    const unknown = await rejectionOf(stranger.decode(envelope, 'doc'));
    expect(unknown.code).toBe('E_KEY_UNKNOWN');
    expect(unknown.details).toEqual({ keyId: 'k1' });
    const impostor = codecChain([json(), encrypt({ keys: { k1: k2 }, currentKeyId: 'k1' })], { onReject: rejects.onReject });
    expect((await rejectionOf(impostor.decode(envelope, 'doc'))).code).toBe('E_DECRYPT');
    expect(rejects.counts).toEqual({ E_DECRYPT: 1, E_KEY_UNKNOWN: 1, E_ENVELOPE: 0, E_TOO_LARGE: 0 });
  });

  it('every truncation is refused; a cut header is E_ENVELOPE', async () => {
    const codec = codecChain([json(), compress({ minBytes: 0 }), encrypt({ keys: { k1 }, currentKeyId: 'k1' })]);
    const envelope = await codec.encode({ title: 'milk', tags: ['a', 'b'] }, 'doc');
    const headerLength = 2 + 1 + 2 + 12;
    for (let length = 0; length < envelope.length; length++) {
      const error = await rejectionOf(codec.decode(envelope.subarray(0, length), 'doc'));
      // Past the header the tag no longer matches, which is all GCM can say about a cut body.
      expect(error.code).toBe(length < headerLength + 16 ? 'E_ENVELOPE' : 'E_DECRYPT');
    }
    const text = await codec.encodeText({ a: 1 }, 'doc');
    expect((await rejectionOf(codec.decodeText(text.slice(0, 3), 'doc'))).code).toBe('E_ENVELOPE');
  });

  it('refuses downgrades, foreign flags, other versions, bad text and non-JSON payloads', async () => {
    const rejects = rejectCounter();
    const sealed = codecChain([json(), encrypt({ keys: { k1 }, currentKeyId: 'k1' })], { onReject: rejects.onReject });
    const plain = codecChain([json()], { onReject: rejects.onReject });
    const plainEnvelope = await plain.encode({ a: 1 });
    expect((await rejectionOf(sealed.decode(plainEnvelope))).code).toBe('E_ENVELOPE'); // no stripping encryption
    expect((await rejectionOf(plain.decode(await sealed.encode({ a: 1 })))).code).toBe('E_ENVELOPE');
    expect((await rejectionOf(plain.decode(Uint8Array.of(2, 0b1000, 0x31)))).code).toBe('E_ENVELOPE'); // version 2
    expect((await rejectionOf(plain.decode(Uint8Array.of(1, 0b11000, 0x31)))).code).toBe('E_ENVELOPE'); // unknown flag
    expect((await rejectionOf(plain.decode(Uint8Array.of(1, 0b1001, 0x31)))).code).toBe('E_ENVELOPE'); // gzip, no compress stage
    expect((await rejectionOf(plain.decode(Uint8Array.of(1, 0b1000, 0x7b)))).code).toBe('E_ENVELOPE'); // "{"
    expect((await rejectionOf(plain.decode(Uint8Array.of(1, 0b1000, 0xff)))).code).toBe('E_ENVELOPE'); // not UTF-8
    expect((await rejectionOf(codecChain([json(), compress()]).decode(Uint8Array.of(1, 0b1001, 1, 2, 3)))).code).toBe('E_ENVELOPE');
    expect((await rejectionOf(plain.decodeText('AQg*'))).code).toBe('E_ENVELOPE');
    expect((await rejectionOf(plain.decodeText('AQh'))).code).toBe('E_ENVELOPE'); // non-zero padding bits
    expect((await rejectionOf(plain.decodeText(42 as never))).code).toBe('E_ENVELOPE');
    expect(rejects.counts.E_ENVELOPE).toBe(10);
  });
});

describe('decompression bombs', () => {
  const TEN_MB = 10 * 1024 * 1024;
  const LIMIT = 1024 * 1024;

  async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
    const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  it('10 MB of zeros in a small gzip body is refused with E_TOO_LARGE after inflating about the limit', async () => {
    const body = await gzip(new Uint8Array(TEN_MB));
    expect(body.length).toBeLessThan(20_000);
    const envelope = new Uint8Array(2 + body.length);
    envelope.set([1, 0b0001], 0); // version 1, gzip, raw bytes
    envelope.set(body, 2);
    const rejects = rejectCounter();
    const codec = codecChain([compress({ maxBytes: LIMIT })], { onReject: rejects.onReject });
    const error = await rejectionOf(codec.decode(envelope));
    expect(error.code).toBe('E_TOO_LARGE');
    const inflated = error.details!['inflatedBytes'] as number;
    expect(inflated).toBeGreaterThan(LIMIT);
    expect(inflated).toBeLessThan(LIMIT + 256 * 1024); // stopped within a chunk or so, far from 10 MB
    expect(rejects.counts.E_TOO_LARGE).toBe(1);
  });

  it('an authentic but oversized encrypted payload is refused too', async () => {
    const keys = { k1 };
    const generous = codecChain([json(), compress({ maxBytes: 2 * TEN_MB }), encrypt({ keys, currentKeyId: 'k1' })]);
    const envelope = await generous.encode('0'.repeat(TEN_MB), 'doc');
    expect(envelope.length).toBeLessThan(50_000);
    const strict = codecChain([json(), compress({ maxBytes: LIMIT }), encrypt({ keys, currentKeyId: 'k1' })]);
    expect((await rejectionOf(strict.decode(envelope, 'doc'))).code).toBe('E_TOO_LARGE');
  });
});
