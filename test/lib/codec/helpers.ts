/** Test helpers for the codec suites. */

export const hex = (text: string): Uint8Array<ArrayBuffer> => {
  const clean = text.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
};

export const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** A fresh non-extractable AES-GCM 256 key, as an app would hold. */
export const newKey = (): Promise<CryptoKey> =>
  globalThis.crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']) as Promise<CryptoKey>;

/** Imports raw key bytes (tests only: extractable so known answers can be checked). */
export const importRawKey = (raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> =>
  globalThis.crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, true, ['encrypt', 'decrypt']);

/** Resolves with the error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

export const deepTier = (): boolean => (process.env['FC_RUNS'] ?? '') !== '' || process.env['DEEP'] === '1';
