import { RxSyncError } from '../errors.js';
import { aesGcmOpen, aesGcmSeal, randomIv } from './aesGcm.js';
import { concatBytes, fromBase64Url, ownBytes, toBase64Url, utf8Decode, utf8Encode, type Bytes } from './bytes.js';
import { isCodecRejection, rejection, type RejectHandler } from './codecErrors.js';
import { parseEnvelope, writeHeader, type EnvelopeCompression, type EnvelopeHeader } from './envelope.js';
import type { ByteStage, CodecStage, CompressStage, EncryptStage, JsonStage } from './stages.js';
import { compressBytes, decompressBytes } from './streams.js';
import { checkOptions } from '../options/checkOptions.js';
import { codecChainOptionSpec } from '../options/specs.js';

/**
 * Encodes values into self-describing envelopes and back. `context` names where the value
 * belongs (a room or document id, a storage key): with encryption, an envelope only decodes under
 * the context it was encoded for. Decoding never returns a partly checked value: it either
 * resolves with the whole value or rejects with `E_ENVELOPE`, `E_DECRYPT`, `E_KEY_UNKNOWN` or
 * `E_TOO_LARGE`.
 */
export interface EnvelopeCodec<T> {
  /** `value` as a binary envelope. */
  encode(value: T, context?: string): Promise<Bytes>;
  /** The value inside a binary envelope. */
  decode(envelope: Uint8Array, context?: string): Promise<T>;
  /** `value` as a base64url text envelope (for JSON frames and JSON storage). */
  encodeText(value: T, context?: string): Promise<string>;
  /** The value inside a base64url text envelope. */
  decodeText(text: string, context?: string): Promise<T>;
}

/** Options of {@link codecChain}. */
export interface CodecChainOptions {
  /** Called for every refused envelope (metrics). */
  onReject?: RejectHandler;
}

interface ChainPlan {
  readonly json: boolean;
  readonly compress: CompressStage | undefined;
  readonly encrypt: EncryptStage | undefined;
}

const STAGE_ORDER: readonly CodecStage['kind'][] = ['json', 'compress', 'encrypt'];

function plan(stages: readonly CodecStage[]): ChainPlan {
  let last = -1;
  for (const stage of stages) {
    const position = STAGE_ORDER.indexOf(stage.kind);
    // Compress-after-encrypt gains nothing and JSON is only meaningful first: one order, checked.
    if (position <= last) {
      throw new RxSyncError('E_OPTION_INVALID', `codecChain: stages go in the order json, compress, encrypt, each at most once`, {
        details: { stages: stages.map((s) => s.kind) },
      });
    }
    last = position;
  }
  return {
    json: stages.some((s) => s.kind === 'json'),
    compress: stages.find((s): s is CompressStage => s.kind === 'compress'),
    encrypt: stages.find((s): s is EncryptStage => s.kind === 'encrypt'),
  };
}

/** Additional authenticated data: the exact header bytes, then the context. The header is self-delimiting. */
function additionalData(headerBytes: Uint8Array, contextBytes: Uint8Array): Bytes {
  return concatBytes([headerBytes, contextBytes]);
}

const CONTEXT_CACHE_SIZE = 256;

function toJsonBytes(value: unknown): Bytes {
  const text = JSON.stringify(value);
  // JSON.stringify returns undefined for undefined, functions and symbols.
  if (typeof text !== 'string') throw new RxSyncError('E_VALUE_INVALID', `codec: the value is not JSON (got ${typeof value})`);
  return utf8Encode(text);
}

function fromJsonBytes(bytes: Bytes): unknown {
  try {
    return JSON.parse(utf8Decode(bytes));
  } catch (cause) {
    throw rejection('E_ENVELOPE', 'payload is not UTF-8 JSON', undefined, cause);
  }
}

/**
 * Composes stages into one {@link EnvelopeCodec}, in the order json → compress → encrypt (each
 * optional). Without `json()` the chain encodes raw bytes. A chain with `encrypt` refuses
 * unencrypted envelopes, so a peer cannot downgrade the channel by clearing a flag.
 *
 * @example
 * ```ts
 * const keys = { k1: await deriveKey('correct horse battery staple', { salt }) };
 * const codec = codecChain([json<Todo>(), compress({ minBytes: 256 }), encrypt({ keys, currentKeyId: 'k1' })]);
 * const box = await codec.encodeText({ title: 'milk' }, 'doc:42'); // base64url text
 * await codec.decodeText(box, 'doc:42'); // { title: 'milk' }
 * await codec.decodeText(box, 'doc:43'); // rejects: RxSyncError E_DECRYPT
 * ```
 */
export function codecChain<T>(stages: readonly [JsonStage<T>, ...ByteStage[]], options?: CodecChainOptions): EnvelopeCodec<T>;
export function codecChain(stages: readonly ByteStage[], options?: CodecChainOptions): EnvelopeCodec<Uint8Array>;
export function codecChain(stages: readonly CodecStage[], options: CodecChainOptions = {}): EnvelopeCodec<unknown> {
  checkOptions('codecChain', options, codecChainOptionSpec);
  const chain = plan(stages);
  const onReject = options.onReject;
  // A room or storage key is used again and again, and TextEncoder is a native call that costs
  // about as much as the rest of the envelope work on a small payload: encode each context once.
  // Bounded (cleared when full), so a stream of distinct contexts cannot grow it.
  const contexts = new Map<string, Bytes>();
  const contextBytes = (context: string): Bytes => {
    let bytes = contexts.get(context);
    if (bytes === undefined) {
      if (contexts.size >= CONTEXT_CACHE_SIZE) contexts.clear();
      bytes = utf8Encode(context);
      contexts.set(context, bytes);
    }
    return bytes;
  };

  const encode = async (value: unknown, context = ''): Promise<Bytes> => {
    let payload: Bytes;
    if (chain.json) payload = toJsonBytes(value);
    else if (value instanceof Uint8Array) payload = ownBytes(value);
    else throw new RxSyncError('E_VALUE_INVALID', 'codec: a chain without json() encodes Uint8Array values only');

    let compression: EnvelopeCompression = 'none';
    if (chain.compress !== undefined && payload.length >= chain.compress.minBytes) {
      const compressed = await compressBytes(payload, chain.compress.format);
      // Keep whichever is smaller: tiny or random payloads grow under compression.
      if (compressed.length < payload.length) {
        payload = compressed;
        compression = chain.compress.format;
      }
    }

    if (chain.encrypt === undefined) return concatBytes([writeHeader({ compression, json: chain.json }), payload]);
    const keys = chain.encrypt.resolved;
    const header: EnvelopeHeader = { compression, json: chain.json, encryption: { keyId: keys.currentKeyId, iv: randomIv() } };
    const headerBytes = writeHeader(header, keys.currentKeyIdBytes);
    const sealed = await aesGcmSeal(keys.currentKey, header.encryption!.iv, payload, additionalData(headerBytes, contextBytes(context)));
    return concatBytes([headerBytes, sealed]);
  };

  const decodeTrusted = async (envelope: Bytes, context: string): Promise<unknown> => {
    const { header, headerBytes, body } = parseEnvelope(envelope);
    if (header.json !== chain.json) throw rejection('E_ENVELOPE', header.json ? 'unexpected JSON envelope' : 'expected a JSON envelope');
    if ((header.encryption !== undefined) !== (chain.encrypt !== undefined)) {
      throw rejection(
        'E_ENVELOPE',
        chain.encrypt ? 'refusing an unencrypted envelope' : 'envelope is encrypted but this codec has no keys',
      );
    }
    let payload = body;
    if (header.encryption !== undefined && chain.encrypt !== undefined) {
      const { keyId, iv } = header.encryption;
      const key = chain.encrypt.resolved.keys.get(keyId);
      if (key === undefined) throw rejection('E_KEY_UNKNOWN', `unknown key id ${JSON.stringify(keyId)}`, { keyId });
      payload = await aesGcmOpen(key, iv, body, additionalData(headerBytes, contextBytes(context)), keyId);
    }
    if (header.compression !== 'none') {
      if (chain.compress === undefined) throw rejection('E_ENVELOPE', 'envelope is compressed but this codec does not decompress');
      payload = await decompressBytes(payload, header.compression, chain.compress.maxBytes);
    }
    return chain.json ? fromJsonBytes(payload) : ownBytes(payload);
  };

  // Decompression reads the envelope across awaits, so it works on its own copy unless the bytes
  // are fresh. With encryption no copy is needed: everything before the first await reads the
  // envelope synchronously, and Web Crypto copies its input when called (the IV is sliced).
  const readsAcrossAwaits = chain.encrypt === undefined && chain.compress !== undefined;
  const decodeBytes = async (envelope: Uint8Array, context: string, fresh: boolean): Promise<unknown> => {
    try {
      return await decodeTrusted(fresh || !readsAcrossAwaits ? (envelope as Bytes) : ownBytes(envelope), context);
    } catch (error) {
      const coded = isCodecRejection(error) ? error : rejection('E_ENVELOPE', 'undecodable envelope', undefined, error);
      onReject?.(coded.code, coded);
      throw coded;
    }
  };

  const decode = (envelope: Uint8Array, context = ''): Promise<unknown> => decodeBytes(envelope, context, false);

  const decodeText = async (text: string, context = ''): Promise<unknown> => {
    const bytes = typeof text === 'string' ? fromBase64Url(text) : undefined;
    if (bytes === undefined) {
      const error = rejection('E_ENVELOPE', 'text envelope is not base64url', {
        length: typeof text === 'string' ? text.length : undefined,
      });
      onReject?.(error.code, error);
      throw error;
    }
    return decodeBytes(bytes, context, true); // fresh from base64url: no copy needed
  };

  return {
    encode,
    decode,
    encodeText: async (value, context) => toBase64Url(await encode(value, context)),
    decodeText,
  };
}
