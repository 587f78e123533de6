/** Bytes backed by a plain `ArrayBuffer`: what Web Crypto and the compression streams accept. */
export type Bytes = Uint8Array<ArrayBuffer>;

// Built on first use, so importing this module does no work.
let encoder: TextEncoder | undefined;
let decoder: TextDecoder | undefined;

/** UTF-8 bytes of `text`. */
export function utf8Encode(text: string): Bytes {
  encoder ??= new TextEncoder();
  return encoder.encode(text);
}

/** Text of UTF-8 `bytes`; throws a `TypeError` on malformed input instead of inventing characters. */
export function utf8Decode(bytes: Uint8Array): string {
  decoder ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  return decoder.decode(bytes);
}

/** A copy of `bytes` on its own `ArrayBuffer` (callers may pass views of shared or larger buffers). */
export function ownBytes(bytes: Uint8Array): Bytes {
  return new Uint8Array(bytes);
}

/** `parts` joined end to end. */
export function concatBytes(parts: readonly Uint8Array[]): Bytes {
  let length = 0;
  for (const part of parts) length += part.byteLength;
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined;
}

/** `Uint8Array.prototype.toBase64` (ES2026), where the platform has it. */
interface NativeBase64Bytes {
  toBase64(options: { alphabet: 'base64url'; omitPadding: boolean }): string;
}

/** `Uint8Array.fromBase64` (ES2026), where the platform has it. */
interface NativeBase64Decoder {
  fromBase64(text: string, options: { alphabet: 'base64url'; lastChunkHandling: 'strict' }): Bytes;
}

const CANONICAL_CHARACTERS = /^[A-Za-z0-9_-]*$/;
const PADDING = ['', '', '==', '='];

/**
 * The native decoder, held to the same canonical form as the fallback: it skips ASCII whitespace
 * and accepts padding, so those are refused up front; `strict` wants a padded last chunk and
 * refuses non-zero padding bits, so the padding is added here.
 */
function nativeFromBase64Url(fromBase64: NativeBase64Decoder['fromBase64'], text: string): Bytes | undefined {
  if (text.length % 4 === 1 || !CANONICAL_CHARACTERS.test(text)) return undefined;
  try {
    return fromBase64(text + PADDING[text.length % 4]!, { alphabet: 'base64url', lastChunkHandling: 'strict' });
  } catch {
    return undefined;
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
let codes: Uint8Array | undefined;
let reverse: Int8Array | undefined;

/**
 * Unpadded base64url (RFC 4648 §5): safe in JSON, URLs and line-based transports. Uses the
 * platform's `toBase64` where there is one (checked on each call: cheap, and testable). Otherwise writes ASCII
 * bytes and decodes them in one native call: string concatenation per character is about three
 * times slower on large envelopes.
 */
export function toBase64Url(bytes: Uint8Array): string {
  const native = bytes as Partial<NativeBase64Bytes>;
  if (typeof native.toBase64 === 'function') return native.toBase64({ alphabet: 'base64url', omitPadding: true });
  if (codes === undefined) codes = utf8Encode(ALPHABET);
  const table = codes;
  const length = bytes.length;
  const out = new Uint8Array(Math.ceil((length * 4) / 3));
  let o = 0;
  let i = 0;
  for (; i + 2 < length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = table[n >> 18]!;
    out[o++] = table[(n >> 12) & 63]!;
    out[o++] = table[(n >> 6) & 63]!;
    out[o++] = table[n & 63]!;
  }
  const rest = length - i;
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    out[o++] = table[n >> 18]!;
    out[o++] = table[(n >> 12) & 63]!;
    if (rest === 2) out[o++] = table[(n >> 6) & 63]!;
  }
  return utf8Decode(out.subarray(0, o));
}

/**
 * Bytes of unpadded base64url `text`, or `undefined` when it is not canonical base64url
 * (a foreign character, an impossible length, or non-zero padding bits): one text, one meaning.
 * Uses the platform's `Uint8Array.fromBase64` where there is one.
 */
export function fromBase64Url(text: string): Bytes | undefined {
  const fromBase64 = (Uint8Array as Partial<NativeBase64Decoder>).fromBase64;
  if (typeof fromBase64 === 'function') return nativeFromBase64Url(fromBase64, text);
  if (reverse === undefined) {
    reverse = new Int8Array(128).fill(-1);
    for (let i = 0; i < ALPHABET.length; i++) reverse[ALPHABET.charCodeAt(i)] = i;
  }
  const table = reverse;
  const length = text.length;
  const rest = length % 4;
  if (rest === 1) return undefined;
  const out = new Uint8Array(Math.floor((length * 3) / 4));
  // Four characters at a time; a foreign character maps to -1, whose sign bit survives the OR.
  let invalid = 0;
  let o = 0;
  let i = 0;
  for (const full = length - rest; i < full; i += 4) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    const c = text.charCodeAt(i + 2);
    const d = text.charCodeAt(i + 3);
    if ((a | b | c | d) > 127) return undefined;
    const va = table[a]!;
    const vb = table[b]!;
    const vc = table[c]!;
    const vd = table[d]!;
    invalid |= va | vb | vc | vd;
    const n = (va << 18) | (vb << 12) | (vc << 6) | vd;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  if (rest > 0) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    const c = rest === 3 ? text.charCodeAt(i + 2) : 65; // 'A': zero bits
    if ((a | b | c) > 127) return undefined;
    const va = table[a]!;
    const vb = table[b]!;
    const vc = table[c]!;
    invalid |= va | vb | vc;
    const n = (va << 18) | (vb << 12) | (vc << 6);
    // The bits after the last whole byte must be zero (canonical form).
    if ((rest === 2 ? n & 0xffff : n & 0xff) !== 0) return undefined;
    out[o++] = n >> 16;
    if (rest === 3) out[o] = (n >> 8) & 0xff;
  }
  return invalid < 0 ? undefined : out;
}
