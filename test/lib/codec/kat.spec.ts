import { aesGcmOpen, aesGcmSeal } from '../../../lib/codec/aesGcm.js';
import { deriveKey, deriveKeyFromSecret, hkdfSha256, pbkdf2Sha256, PBKDF2_DEFAULT_ITERATIONS } from '../../../lib/codec/keyDerivation.js';
import { hex, importRawKey, rejectionOf, toHex } from './helpers.js';

// AES-GCM 256 known answers: Test Cases 13-16 of D. McGrew and J. Viega, "The Galois/Counter Mode of
// Operation (GCM)", revised submission to NIST (2005), Appendix B; the same vectors appear in NIST's
// GCM validation (gcmEncryptExtIV256) with 96-bit IVs and 128-bit tags.
const K15 = 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308';
const P15 =
  'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72' + '1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255';
const C15 =
  '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa' + '8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad';
const gcmVectors = [
  { name: 'TC13 (empty)', key: '00'.repeat(32), iv: '00'.repeat(12), pt: '', aad: '', ct: '', tag: '530f8afbc74536b9a963b4f1c4cb738b' },
  {
    name: 'TC14 (one zero block)',
    key: '00'.repeat(32),
    iv: '00'.repeat(12),
    pt: '00'.repeat(16),
    aad: '',
    ct: 'cea7403d4d606b6e074ec5d3baf39d18',
    tag: 'd0d1c8a799996bf0265b98b5d48ab919',
  },
  { name: 'TC15 (64 bytes)', key: K15, iv: 'cafebabefacedbaddecaf888', pt: P15, aad: '', ct: C15, tag: 'b094dac5d93471bdec1a502270e3cc6c' },
  {
    name: 'TC16 (60 bytes + AAD)',
    key: K15,
    iv: 'cafebabefacedbaddecaf888',
    pt: P15.slice(0, 120),
    aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    ct: C15.slice(0, 120),
    tag: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
];

describe('AES-GCM 256 known answers (GCM spec test cases 13-16)', () => {
  it.each(gcmVectors)('$name seals to the published ciphertext and tag, and opens back', async (v) => {
    const key = await importRawKey(hex(v.key));
    const sealed = await aesGcmSeal(key, hex(v.iv), hex(v.pt), hex(v.aad));
    expect(toHex(sealed)).toBe(v.ct + v.tag);
    expect(toHex(await aesGcmOpen(key, hex(v.iv), sealed, hex(v.aad), 'kat'))).toBe(v.pt);
    const tampered = sealed.slice();
    tampered[tampered.length - 1]! ^= 1;
    expect((await rejectionOf(aesGcmOpen(key, hex(v.iv), tampered, hex(v.aad), 'kat'))).code).toBe('E_DECRYPT');
  });
});

// PBKDF2-HMAC-SHA256 known answers: RFC 7914 §11 (the two PBKDF2-HMAC-SHA256 vectors).
describe('PBKDF2-HMAC-SHA256 known answers (RFC 7914 §11)', () => {
  it('P="passwd", S="salt", c=1, dkLen=64', async () => {
    const dk = await pbkdf2Sha256('passwd', new TextEncoder().encode('salt'), 1, 64);
    expect(toHex(dk)).toBe(
      '55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc' +
        '49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783',
    );
  });

  it('P="Password", S="NaCl", c=80000, dkLen=64', async () => {
    const dk = await pbkdf2Sha256('Password', new TextEncoder().encode('NaCl'), 80000, 64);
    expect(toHex(dk)).toBe(
      '4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56' +
        'a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d',
    );
  });
});

// HKDF-SHA-256 known answers: RFC 5869 Appendix A, test cases 1-3.
const range = (from: number, to: number): Uint8Array<ArrayBuffer> => Uint8Array.from({ length: to - from + 1 }, (_, i) => from + i);
describe('HKDF-SHA-256 known answers (RFC 5869 A.1-A.3)', () => {
  it('test case 1 (basic)', async () => {
    const okm = await hkdfSha256(new Uint8Array(22).fill(0x0b), range(0x00, 0x0c), range(0xf0, 0xf9), 42);
    expect(toHex(okm)).toBe('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
  });

  it('test case 2 (longer inputs and outputs)', async () => {
    const okm = await hkdfSha256(range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82);
    expect(toHex(okm)).toBe(
      'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c' +
        '59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71' +
        'cc30c58179ec3e87c14c01d5c1f3434f1d87',
    );
  });

  it('test case 3 (zero-length salt and info)', async () => {
    const okm = await hkdfSha256(new Uint8Array(22).fill(0x0b), new Uint8Array(0), new Uint8Array(0), 42);
    expect(toHex(okm)).toBe('8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8');
  });
});

/** Encrypts a fixed block under `key`: equal outputs mean equal keys, without extracting them. */
const fingerprint = async (key: CryptoKey): Promise<string> =>
  toHex(await aesGcmSeal(key, new Uint8Array(12), new Uint8Array(16), new Uint8Array(0)));

describe('deriveKey (PBKDF2) and deriveKeyFromSecret (HKDF)', () => {
  const salt = new Uint8Array(16).fill(7);

  it('gives a non-extractable AES-GCM 256 key equal to the raw PBKDF2 output', async () => {
    const key = await deriveKey('correct horse', { salt, iterations: 1000 });
    expect(key.extractable).toBe(false);
    expect(key.algorithm).toEqual({ name: 'AES-GCM', length: 256 });
    expect([...key.usages].sort()).toEqual(['decrypt', 'encrypt']);
    const raw = await pbkdf2Sha256('correct horse', salt, 1000, 32);
    expect(await fingerprint(key)).toBe(await fingerprint(await importRawKey(raw)));
  });

  it('defaults to 600,000 iterations (one real derivation)', async () => {
    expect(PBKDF2_DEFAULT_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    const spy = jest.spyOn(globalThis.crypto.subtle, 'deriveKey');
    try {
      const key = await deriveKey('correct horse', { salt });
      expect((spy.mock.calls[0]![0] as Pbkdf2Params).iterations).toBe(PBKDF2_DEFAULT_ITERATIONS);
      expect(key.algorithm).toEqual({ name: 'AES-GCM', length: 256 });
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses short salts and bad iteration counts', async () => {
    expect((await rejectionOf(deriveKey('pw', { salt: new Uint8Array(8) }))).code).toBe('E_OPTION_INVALID');
    expect((await rejectionOf(deriveKey('pw', { salt, iterations: 0 }))).code).toBe('E_OPTION_INVALID');
    expect((await rejectionOf(deriveKey('pw', { salt, iterations: 1.5 }))).code).toBe('E_OPTION_INVALID');
  });

  it('HKDF key equals the raw HKDF output; info separates keys', async () => {
    const secret = new Uint8Array(32).fill(0x42);
    const key = await deriveKeyFromSecret(secret, { salt, info: 'room:1' });
    expect(key.extractable).toBe(false);
    const raw = await hkdfSha256(secret, salt, 'room:1', 32);
    expect(await fingerprint(key)).toBe(await fingerprint(await importRawKey(raw)));
    const other = await deriveKeyFromSecret(secret, { salt, info: 'room:2' });
    expect(await fingerprint(other)).not.toBe(await fingerprint(key));
    expect((await rejectionOf(deriveKeyFromSecret(new Uint8Array(8), { salt, info: '' }))).code).toBe('E_OPTION_INVALID');
  });
});
