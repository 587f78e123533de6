import fc from 'fast-check';
import { fromBase64Url, toBase64Url } from '../../../lib/codec/bytes.js';
import { fcParams } from '../../support/fc.js';

describe('base64url', () => {
  it('matches the platform encoder and round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = toBase64Url(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64url'));
        expect(fromBase64Url(text)).toEqual(bytes);
      }),
      fcParams(200),
    );
  });

  it('decodes exactly the canonical texts, with a foreign character anywhere refused', () => {
    const chars = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', '=', '+', '/', ' ', 'é', '\u0100', '\0'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...chars), { maxLength: 40 }), (list) => {
        const text = list.join('');
        const decoded = fromBase64Url(text);
        const platform = Buffer.from(text, 'base64url');
        // Canonical: the platform's lenient decoder agrees and re-encoding gives the same text.
        const canonical = /^[A-Za-z0-9_-]*$/.test(text) && platform.toString('base64url') === text;
        expect(decoded === undefined ? undefined : Buffer.from(decoded).toString('hex')).toBe(
          canonical ? platform.toString('hex') : undefined,
        );
      }),
      fcParams(500),
    );
  });

  it('accepts only canonical text', () => {
    expect(fromBase64Url('')).toEqual(new Uint8Array(0));
    expect(fromBase64Url('A')).toBeUndefined(); // impossible length
    expect(fromBase64Url('AB')).toBeUndefined(); // padding bits set
    expect(fromBase64Url('AA==')).toBeUndefined(); // padding is not part of the alphabet
    expect(fromBase64Url('A+A/')).toBeUndefined(); // standard base64, not url-safe
    expect(fromBase64Url('AAé')).toBeUndefined();
  });
});
