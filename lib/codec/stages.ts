import { RxSyncError } from '../errors.js';
import { resolveKeys, type EncryptionOptions, type ResolvedKeys } from './aesGcm.js';
import type { CompressFormat } from './streams.js';
import { checkOptions } from '../options/checkOptions.js';
import { compressOptionSpec } from '../options/specs.js';

/**
 * The first stage of a value codec: the value as UTF-8 JSON. `T` is the value type the chain
 * encodes and decodes; decoding trusts the type only as far as the envelope is authenticated.
 */
export interface JsonStage<T = unknown> {
  readonly kind: 'json';
  /** Phantom marker carrying `T` (never set). */
  readonly valueType?: T;
}

/** A compression stage: see {@link compress}. */
export interface CompressStage {
  readonly kind: 'compress';
  readonly format: CompressFormat;
  readonly minBytes: number;
  readonly maxBytes: number;
}

/** An encryption stage: see {@link encrypt}. */
export interface EncryptStage {
  readonly kind: 'encrypt';
  /** @internal Validated keys. */
  readonly resolved: ResolvedKeys;
}

/** A stage that works on bytes: everything after {@link json}. */
export type ByteStage = CompressStage | EncryptStage;

/** Any stage of a {@link codecChain}. */
export type CodecStage = JsonStage | ByteStage;

/**
 * Values as UTF-8 JSON: the first stage of a chain that encodes values rather than raw bytes.
 *
 * @example
 * ```ts
 * const codec = codecChain([json<Todo>(), compress(), encrypt({ keys, currentKeyId: 'k2' })]);
 * ```
 */
export function json<T = unknown>(): JsonStage<T> {
  return { kind: 'json' };
}

/** Options of {@link compress}. */
export interface CompressOptions {
  /** `'gzip'` (default) or `'deflate-raw'` (18 bytes smaller per message, no checksum). */
  format?: CompressFormat;
  /** Payloads shorter than this many bytes are not compressed (flagged as such). Default 512. */
  minBytes?: number;
  /** The most bytes decompression may produce before the envelope is refused with `E_TOO_LARGE`. Default 8 MiB. */
  maxBytes?: number;
}

/** Default {@link CompressOptions.maxBytes}: 8 MiB. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 8 * 1024 * 1024;

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RxSyncError('E_OPTION_INVALID', `compress: ${name} must be a non-negative integer`, { details: { [name]: value } });
  }
  return value;
}

/**
 * Compresses payloads of at least `minBytes` with the platform's `CompressionStream`. A payload
 * that does not shrink is kept as is; the envelope's flags say which, so the decoder never
 * guesses. Decoding stops reading as soon as the output passes `maxBytes` (decompression bombs).
 *
 * Compressing before encrypting leaks how compressible the plaintext is through the envelope
 * length: do not compress payloads that mix secrets with attacker-chosen text.
 *
 * @example
 * ```ts
 * codecChain([json(), compress({ format: 'deflate-raw', minBytes: 1024, maxBytes: 1 << 20 })]);
 * ```
 */
export function compress(options: CompressOptions = {}): CompressStage {
  checkOptions('compress', options, compressOptionSpec);
  const format = options.format ?? 'gzip';
  if (format !== 'gzip' && format !== 'deflate-raw') {
    throw new RxSyncError('E_OPTION_INVALID', `compress: unknown format ${JSON.stringify(format)}`, { details: { format } });
  }
  return {
    kind: 'compress',
    format,
    minBytes: nonNegativeInteger('minBytes', options.minBytes ?? 512),
    maxBytes: nonNegativeInteger('maxBytes', options.maxBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES),
  };
}

/**
 * AES-GCM 256 encryption: a fresh random 96-bit IV per envelope, and additional authenticated
 * data binding the envelope header (version, flags, key id, IV) and the caller's context (room or
 * document id), so an envelope cannot be replayed into another document or have its flags edited.
 * New envelopes use `currentKeyId`; envelopes of any other id in `keys` still decrypt (rotation).
 *
 * @example
 * ```ts
 * const k1 = await deriveKey(passphrase, { salt });
 * const k2 = await deriveKeyFromSecret(sharedSecret, { salt, info: 'rxsync room 42' });
 * encrypt({ keys: { k1, k2 }, currentKeyId: 'k2' }); // reads k1 and k2, writes k2
 * ```
 */
export function encrypt(options: EncryptionOptions): EncryptStage {
  return { kind: 'encrypt', resolved: resolveKeys(options) };
}
