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

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
let reverse: Int16Array | undefined;

/** Unpadded base64url (RFC 4648 §5): safe in JSON, URLs and line-based transports. */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/**
 * Bytes of unpadded base64url `text`, or `undefined` when it is not canonical base64url
 * (a foreign character, an impossible length, or non-zero padding bits): one text, one meaning.
 */
export function fromBase64Url(text: string): Bytes | undefined {
  if (reverse === undefined) {
    reverse = new Int16Array(128).fill(-1);
    for (let i = 0; i < ALPHABET.length; i++) reverse[ALPHABET.charCodeAt(i)] = i;
  }
  const table = reverse;
  if (text.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let buffered = 0;
  let written = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? table[code]! : -1;
    if (value < 0) return undefined;
    bits = ((bits << 6) | value) & 0xffffff;
    buffered += 6;
    if (buffered >= 8) {
      buffered -= 8;
      out[written++] = (bits >> buffered) & 0xff;
    }
  }
  if ((bits & ((1 << buffered) - 1)) !== 0) return undefined;
  return out;
}
