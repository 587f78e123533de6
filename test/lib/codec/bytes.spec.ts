import fc from 'fast-check';
import { fromBase64Url, toBase64Url } from '../../../lib/codec/bytes.js';
import { fcParams } from '../../support/fc.js';

/**
 * A stand-in for the ES2026 `Uint8Array.prototype.toBase64` / `Uint8Array.fromBase64` (this Node
 * has neither), as lenient as the specification: ASCII whitespace skipped, padding accepted,
 * `strict` refusing an unpadded last chunk and non-zero padding bits with a SyntaxError.
 */
function installNativeBase64(): () => void {
  const proto = Uint8Array.prototype as unknown as Record<string, unknown>;
  const ctor = Uint8Array as unknown as Record<string, unknown>;
  proto['toBase64'] = function (this: Uint8Array, options: { alphabet: string; omitPadding: boolean }) {
    const text = Buffer.from(this).toString(options.alphabet === 'base64url' ? 'base64url' : 'base64');
    return options.omitPadding ? text : text.padEnd(Math.ceil(text.length / 4) * 4, '=');
  };
  ctor['fromBase64'] = (text: string, options: { alphabet: string; lastChunkHandling: string }) => {
    const stripped = text.replace(/[\t\n\f\r ]/g, '');
    if (options.alphabet !== 'base64url' || options.lastChunkHandling !== 'strict') throw new TypeError('unsupported options');
    if (!/^[A-Za-z0-9_-]*={0,2}$/.test(stripped) || stripped.length % 4 !== 0) throw new SyntaxError('bad base64');
    const bytes = Buffer.from(stripped, 'base64url');
    if (Buffer.from(bytes).toString('base64url') !== stripped.replace(/=+$/, '')) throw new SyntaxError('non-zero padding bits');
    return new Uint8Array(bytes);
  };
  return () => {
    delete proto['toBase64'];
    delete ctor['fromBase64'];
  };
}

describe.each([
  ['the fallback', false],
  ['the platform base64', true],
])('base64url with %s', (_path, native) => {
  let uninstall: (() => void) | undefined;
  beforeAll(() => {
    if (native) uninstall = installNativeBase64();
  });
  afterAll(() => uninstall?.());

  it('takes the path it is meant to test', () => {
    expect(typeof (Uint8Array as unknown as Record<string, unknown>)['fromBase64'] === 'function').toBe(native);
  });

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
    expect(fromBase64Url('AA A')).toBeUndefined(); // whitespace, which a platform decoder would skip
    expect(fromBase64Url('AAA\n')).toBeUndefined();
  });
});
