import { RxSyncError } from '../errors.js';
import { utf8Encode, type Bytes } from './bytes.js';
import { rejection } from './codecErrors.js';
import { IV_BYTES } from './envelope.js';

/**
 * AES-GCM keys by key id. Old ids stay so that what they encrypted still decrypts; the codec
 * encrypts with the one named `currentKeyId`.
 */
export type KeyRing = ReadonlyMap<string, CryptoKey> | Readonly<Record<string, CryptoKey>>;

/** Options shared by everything that encrypts: {@link encrypt}, `encryptedStorage`, `encryptedPayloads`. */
export interface EncryptionOptions {
  /** Every key that may have encrypted stored or incoming data, by key id (1–255 UTF-8 bytes). */
  keys: KeyRing;
  /** The key id new envelopes are encrypted with (the newest key after a rotation). */
  currentKeyId: string;
}

/** A validated key ring with the current key's id already encoded. */
export interface ResolvedKeys {
  readonly keys: ReadonlyMap<string, CryptoKey>;
  readonly currentKeyId: string;
  readonly currentKey: CryptoKey;
  readonly currentKeyIdBytes: Bytes;
}

function invalid(message: string, details?: Record<string, unknown>): RxSyncError {
  return new RxSyncError('E_OPTION_INVALID', `encrypt: ${message}`, { details });
}

/** Checks the options once, up front, so a misconfigured key fails at setup rather than on first use. */
export function resolveKeys(options: EncryptionOptions): ResolvedKeys {
  // Own entries only, into a Map: a key id such as `__proto__` is just an id.
  const keys = options.keys instanceof Map ? new Map(options.keys) : new Map(Object.entries(options.keys as Record<string, CryptoKey>));
  for (const [keyId, key] of keys) {
    const idLength = utf8Encode(keyId).length;
    if (idLength < 1 || idLength > 255) throw invalid(`key id ${JSON.stringify(keyId)} must be 1-255 UTF-8 bytes`, { keyId });
    if (typeof key !== 'object' || key === null) throw invalid(`key ${JSON.stringify(keyId)} is not a CryptoKey`, { keyId });
    const algorithm = key.algorithm as Partial<AesKeyAlgorithm>;
    if (algorithm.name !== 'AES-GCM' || algorithm.length !== 256) {
      throw invalid(`key ${JSON.stringify(keyId)} is not an AES-GCM 256 key`, {
        keyId,
        algorithm: algorithm.name,
        length: algorithm.length,
      });
    }
    if (!key.usages.includes('decrypt')) throw invalid(`key ${JSON.stringify(keyId)} cannot decrypt`, { keyId });
  }
  const currentKey = keys.get(options.currentKeyId);
  if (currentKey === undefined) throw invalid(`currentKeyId ${JSON.stringify(options.currentKeyId)} is not in keys`);
  if (!currentKey.usages.includes('encrypt')) throw invalid(`the current key cannot encrypt`, { keyId: options.currentKeyId });
  return { keys, currentKeyId: options.currentKeyId, currentKey, currentKeyIdBytes: utf8Encode(options.currentKeyId) };
}

/** A fresh random 96-bit IV from the platform CSPRNG: never a counter we could reuse after a reload. */
export function randomIv(): Bytes {
  return globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
}

// `tagLength` is left out: 128 bits is the Web Crypto default, and Node's option handling costs
// about 2 µs per call for stating it.

/** AES-GCM encryption with a 128-bit tag: ciphertext followed by the tag. */
export async function aesGcmSeal(key: CryptoKey, iv: Bytes, plaintext: Bytes, additionalData: Bytes): Promise<Bytes> {
  const sealed = await globalThis.crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, key, plaintext);
  return new Uint8Array(sealed);
}

/** AES-GCM decryption; a wrong key, tampered bytes or other AAD all become `E_DECRYPT`. */
export async function aesGcmOpen(key: CryptoKey, iv: Bytes, sealed: Bytes, additionalData: Bytes, keyId: string): Promise<Bytes> {
  try {
    const plain = await globalThis.crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData }, key, sealed);
    return new Uint8Array(plain);
  } catch (cause) {
    throw rejection('E_DECRYPT', 'authentication failed (wrong key, wrong context, or tampered data)', { keyId }, cause);
  }
}
