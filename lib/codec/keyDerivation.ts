import { RxSyncError } from '../errors.js';
import { ownBytes, utf8Encode, type Bytes } from './bytes.js';

/**
 * Default PBKDF2-SHA-256 iteration count: 600,000, the OWASP Password Storage recommendation
 * for PBKDF2-HMAC-SHA256. Derivation takes a noticeable fraction of a second on purpose: do it once
 * per session and keep the `CryptoKey`.
 */
export const PBKDF2_DEFAULT_ITERATIONS = 600_000;

/** Shortest salt {@link deriveKey} accepts: 16 bytes (128 bits, per NIST SP 800-132). */
export const PBKDF2_MIN_SALT_BYTES = 16;

/** Options of {@link deriveKey}. */
export interface DeriveKeyOptions {
  /** A random salt of at least 16 bytes, stored next to whatever the key protects (it is not secret). */
  salt: Uint8Array;
  /** PBKDF2 iterations. Default {@link PBKDF2_DEFAULT_ITERATIONS}. */
  iterations?: number;
}

/** Options of {@link deriveKeyFromSecret}. */
export interface DeriveKeyFromSecretOptions {
  /** HKDF salt: random or fixed per application; may be empty. */
  salt: Uint8Array;
  /** HKDF info: what the key is for (e.g. `'rxsync room 42 v1'`), so one secret gives unrelated keys per use. */
  info: string | Uint8Array;
}

const AES_GCM_256: AesKeyGenParams = { name: 'AES-GCM', length: 256 };
const KEY_USAGES: KeyUsage[] = ['encrypt', 'decrypt'];

function invalid(fn: string, message: string, details?: Record<string, unknown>): RxSyncError {
  return new RxSyncError('E_OPTION_INVALID', `${fn}: ${message}`, { details });
}

function bytesOf(input: string | Uint8Array): Bytes {
  return typeof input === 'string' ? utf8Encode(input) : ownBytes(input);
}

function checkIterations(iterations: number): number {
  if (!Number.isSafeInteger(iterations) || iterations < 1)
    throw invalid('deriveKey', 'iterations must be a positive integer', { iterations });
  return iterations;
}

async function importBaseKey(material: Bytes, algorithm: 'PBKDF2' | 'HKDF'): Promise<CryptoKey> {
  return globalThis.crypto.subtle.importKey('raw', material, algorithm, false, ['deriveBits', 'deriveKey']);
}

/**
 * The raw PBKDF2-HMAC-SHA-256 output (`lengthBytes` long). The building block of {@link deriveKey},
 * exposed for known-answer tests and for apps that need a verifier; prefer {@link deriveKey}.
 */
export async function pbkdf2Sha256(
  password: string | Uint8Array,
  salt: Uint8Array,
  iterations: number,
  lengthBytes: number,
): Promise<Bytes> {
  const base = await importBaseKey(bytesOf(password), 'PBKDF2');
  const params: Pbkdf2Params = { name: 'PBKDF2', hash: 'SHA-256', salt: ownBytes(salt), iterations: checkIterations(iterations) };
  return new Uint8Array(await globalThis.crypto.subtle.deriveBits(params, base, lengthBytes * 8));
}

/**
 * The raw HKDF-SHA-256 output (`lengthBytes` long, at most 8160). The building block of
 * {@link deriveKeyFromSecret}, exposed for known-answer tests; prefer {@link deriveKeyFromSecret}.
 */
export async function hkdfSha256(secret: Uint8Array, salt: Uint8Array, info: string | Uint8Array, lengthBytes: number): Promise<Bytes> {
  const base = await importBaseKey(ownBytes(secret), 'HKDF');
  const params: HkdfParams = { name: 'HKDF', hash: 'SHA-256', salt: ownBytes(salt), info: bytesOf(info) };
  return new Uint8Array(await globalThis.crypto.subtle.deriveBits(params, base, lengthBytes * 8));
}

/**
 * An AES-GCM 256 key from a passphrase, with PBKDF2-HMAC-SHA-256. The key is non-extractable:
 * script on the page can use it but never read its bytes. The same passphrase, salt and
 * iterations always give the same key, so a user can unlock data on another device.
 *
 * @example
 * ```ts
 * const salt = crypto.getRandomValues(new Uint8Array(16)); // store it with the data
 * const key = await deriveKey(passphrase, { salt }); // 600,000 iterations
 * const storage = encryptedStorage(localforageStorage(), { keys: { k1: key }, currentKeyId: 'k1' });
 * ```
 */
export async function deriveKey(passphrase: string | Uint8Array, options: DeriveKeyOptions): Promise<CryptoKey> {
  const iterations = checkIterations(options.iterations ?? PBKDF2_DEFAULT_ITERATIONS);
  if (!(options.salt instanceof Uint8Array) || options.salt.length < PBKDF2_MIN_SALT_BYTES) {
    throw invalid('deriveKey', `salt must be at least ${PBKDF2_MIN_SALT_BYTES} random bytes`);
  }
  const base = await importBaseKey(bytesOf(passphrase), 'PBKDF2');
  const params: Pbkdf2Params = { name: 'PBKDF2', hash: 'SHA-256', salt: ownBytes(options.salt), iterations };
  return globalThis.crypto.subtle.deriveKey(params, base, AES_GCM_256, false, KEY_USAGES);
}

/**
 * An AES-GCM 256 key from a high-entropy shared secret (an ECDH result, a random room secret,
 * a key from your auth server), with HKDF-SHA-256. Not for passwords: use {@link deriveKey}.
 * Non-extractable. Different `info` values give independent keys from one secret.
 *
 * @example
 * ```ts
 * const roomKey = await deriveKeyFromSecret(roomSecret, { salt: new Uint8Array(32), info: `room:${roomId}:v1` });
 * ```
 */
export async function deriveKeyFromSecret(secret: Uint8Array, options: DeriveKeyFromSecretOptions): Promise<CryptoKey> {
  if (!(secret instanceof Uint8Array) || secret.length < 16) {
    throw invalid('deriveKeyFromSecret', 'the secret must be at least 16 bytes of high-entropy material');
  }
  const base = await importBaseKey(ownBytes(secret), 'HKDF');
  const params: HkdfParams = { name: 'HKDF', hash: 'SHA-256', salt: ownBytes(options.salt), info: bytesOf(options.info) };
  return globalThis.crypto.subtle.deriveKey(params, base, AES_GCM_256, false, KEY_USAGES);
}
