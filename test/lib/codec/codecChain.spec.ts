import fc from 'fast-check';
import { codecChain, type EnvelopeCodec } from '../../../lib/codec/codecChain.js';
import { compress, encrypt, json } from '../../../lib/codec/stages.js';
import { fcParams } from '../../support/fc.js';
import { newKey, rejectionOf } from './helpers.js';

let k1: CryptoKey;
let k2: CryptoKey;
beforeAll(async () => {
  k1 = await newKey();
  k2 = await newKey();
});

/** What a JSON round trip is expected to give (`-0` becomes `0`, and so on). */
const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

const valueChains = (): Record<string, EnvelopeCodec<unknown>> => {
  const keys = { k1 };
  return {
    json: codecChain([json()]),
    'json+gzip': codecChain([json(), compress({ minBytes: 0 })]),
    'json+deflate-raw': codecChain([json(), compress({ format: 'deflate-raw', minBytes: 0 })]),
    'json+encrypt': codecChain([json(), encrypt({ keys, currentKeyId: 'k1' })]),
    'json+gzip+encrypt': codecChain([json(), compress({ minBytes: 16 }), encrypt({ keys, currentKeyId: 'k1' })]),
    'json+deflate-raw+encrypt': codecChain([
      json(),
      compress({ format: 'deflate-raw', minBytes: 0 }),
      encrypt({ keys, currentKeyId: 'k1' }),
    ]),
  };
};

describe('codecChain round trips (property)', () => {
  it.each(['json', 'json+gzip', 'json+deflate-raw', 'json+encrypt', 'json+gzip+encrypt', 'json+deflate-raw+encrypt'])(
    '%s: any JSON value survives, binary and text, under any context',
    async (name) => {
      const codec = valueChains()[name]!;
      await fc.assert(
        fc.asyncProperty(fc.jsonValue(), fc.string(), async (value, context) => {
          const expected = viaJson(value);
          expect(await codec.decode(await codec.encode(value, context), context)).toEqual(expected);
          const text = await codec.encodeText(value, context);
          expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
          expect(await codec.decodeText(text, context)).toEqual(expected);
        }),
        fcParams(100),
      );
    },
  );

  it.each([
    ['gzip', () => codecChain([compress({ minBytes: 0 })])],
    ['gzip+encrypt', () => codecChain([compress({ minBytes: 8 }), encrypt({ keys: { k1 }, currentKeyId: 'k1' })])],
    ['encrypt', () => codecChain([encrypt({ keys: { k1 }, currentKeyId: 'k1' })])],
  ])('bytes chain %s: any byte string survives', async (_name, make) => {
    const codec = make();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => {
        expect(await codec.decode(await codec.encode(bytes, 'doc'), 'doc')).toEqual(bytes);
      }),
      fcParams(100),
    );
  });
});

describe('codecChain envelope', () => {
  const big = { rows: Array.from({ length: 200 }, (_, i) => ({ id: i, title: 'buy milk', done: false })) };

  it('flags compression only at or above minBytes, and only when it shrinks the payload', async () => {
    const codec = codecChain([json(), compress({ minBytes: 64 })]);
    expect((await codec.encode({ a: 1 }))[1]! & 0b11).toBe(0); // below minBytes: stored as is
    const packed = await codec.encode(big);
    expect(packed[1]! & 0b11).toBe(1); // gzip
    expect(packed.length).toBeLessThan(JSON.stringify(big).length / 5);
    const random = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(300)), (b) => b.toString(36)).join('');
    const incompressible = codecChain([json(), compress({ minBytes: 0 })]);
    expect(await incompressible.decode(await incompressible.encode(random))).toBe(random);
    expect((await codecChain([json(), compress({ format: 'deflate-raw', minBytes: 0 })]).encode(big))[1]! & 0b11).toBe(2);
  });

  it('writes version 1, the key id and a 12-byte IV; rotation reads old ids and writes the newest', async () => {
    const before = codecChain([json(), encrypt({ keys: { k1 }, currentKeyId: 'k1' })]);
    const old = await before.encode({ v: 'old' }, 'doc');
    expect([...old.subarray(0, 5)]).toEqual([1, 0b1100, 2, 'k'.charCodeAt(0), '1'.charCodeAt(0)]);
    expect(old.length).toBe(2 + 1 + 2 + 12 + '{"v":"old"}'.length + 16);

    const rotated = codecChain([
      json(),
      encrypt({
        keys: new Map([
          ['k1', k1],
          ['k2', k2],
        ]),
        currentKeyId: 'k2',
      }),
    ]);
    expect(await rotated.decode(old, 'doc')).toEqual({ v: 'old' });
    const fresh = await rotated.encode({ v: 'new' }, 'doc');
    expect(String.fromCharCode(fresh[3]!, fresh[4]!)).toBe('k2');

    const retired = codecChain([json(), encrypt({ keys: { k2 }, currentKeyId: 'k2' })]);
    expect(await retired.decode(fresh, 'doc')).toEqual({ v: 'new' });
    expect((await rejectionOf(retired.decode(old, 'doc'))).code).toBe('E_KEY_UNKNOWN');
  });

  it('refuses misconfiguration up front', async () => {
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (error) {
        return (error as { code?: string }).code;
      }
      return undefined;
    };
    expect(code(() => codecChain([json(), encrypt({ keys: { k1 }, currentKeyId: 'k1' }), compress()] as never))).toBe('E_OPTION_INVALID');
    expect(code(() => codecChain([compress(), compress()]))).toBe('E_OPTION_INVALID');
    expect(code(() => encrypt({ keys: { k1 }, currentKeyId: 'nope' }))).toBe('E_OPTION_INVALID');
    expect(code(() => encrypt({ keys: { ['x'.repeat(256)]: k1 }, currentKeyId: 'x'.repeat(256) }))).toBe('E_OPTION_INVALID');
    const hmac = await globalThis.crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    expect(code(() => encrypt({ keys: { h: hmac }, currentKeyId: 'h' }))).toBe('E_OPTION_INVALID');
    const aes128 = (await globalThis.crypto.subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, [
      'encrypt',
      'decrypt',
    ])) as CryptoKey;
    expect(code(() => encrypt({ keys: { a: aes128 }, currentKeyId: 'a' }))).toBe('E_OPTION_INVALID');
    expect(code(() => compress({ minBytes: -1 }))).toBe('E_OPTION_INVALID');
    expect(code(() => compress({ format: 'brotli' as never }))).toBe('E_OPTION_INVALID');
    expect((await rejectionOf(codecChain([json()]).encode(undefined))).code).toBe('E_VALUE_INVALID');
    expect((await rejectionOf(codecChain([compress()]).encode('text' as never))).code).toBe('E_VALUE_INVALID');
  });

  it('a key id such as __proto__ is just an id', async () => {
    const keys = JSON.parse('{"__proto__": null}') as Record<string, CryptoKey>;
    keys['__proto__'] = k1;
    const codec = codecChain([json(), encrypt({ keys, currentKeyId: '__proto__' })]);
    expect(await codec.decode(await codec.encode([1, 2]))).toEqual([1, 2]);
  });
});
