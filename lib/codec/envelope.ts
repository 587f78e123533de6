import { concatBytes, utf8Decode, type Bytes } from './bytes.js';
import { rejection } from './codecErrors.js';

/** The envelope format version this library writes and reads. */
export const ENVELOPE_VERSION = 1;

/** Length of the AES-GCM nonce carried by an encrypted envelope (96 bits, as NIST SP 800-38D recommends). */
export const IV_BYTES = 12;

/** Length of the AES-GCM authentication tag at the end of an encrypted body. */
export const TAG_BYTES = 16;

/** How the body was compressed (`none` when below `minBytes` or when compression did not help). */
export type EnvelopeCompression = 'none' | 'gzip' | 'deflate-raw';

// Flag byte: bits 0-1 compression, bit 2 encrypted, bit 3 JSON payload; the rest must be zero.
const COMPRESSION_CODES: readonly EnvelopeCompression[] = ['none', 'gzip', 'deflate-raw'];
const FLAG_ENCRYPTED = 0b0100;
const FLAG_JSON = 0b1000;
const KNOWN_FLAGS = 0b1111;

/** The decoded header of an envelope. */
export interface EnvelopeHeader {
  readonly compression: EnvelopeCompression;
  readonly json: boolean;
  /** Present when the body is encrypted. */
  readonly encryption?: { readonly keyId: string; readonly iv: Bytes };
}

/** A parsed envelope: its header, the header's exact bytes (authenticated as AAD), and the body. */
export interface ParsedEnvelope {
  readonly header: EnvelopeHeader;
  readonly headerBytes: Bytes;
  readonly body: Bytes;
}

/**
 * Header bytes (layout v1):
 * `[version][flags]` then, when encrypted, `[keyId length 1..255][keyId UTF-8][12-byte IV]`.
 * The body follows: the (compressed) payload, or its AES-GCM ciphertext with the 16-byte tag.
 */
export function writeHeader(header: EnvelopeHeader, keyIdBytes?: Uint8Array): Bytes {
  const flags = COMPRESSION_CODES.indexOf(header.compression) | (header.json ? FLAG_JSON : 0) | (header.encryption ? FLAG_ENCRYPTED : 0);
  if (header.encryption === undefined || keyIdBytes === undefined) return new Uint8Array([ENVELOPE_VERSION, flags]);
  return concatBytes([new Uint8Array([ENVELOPE_VERSION, flags, keyIdBytes.length]), keyIdBytes, header.encryption.iv]);
}

/** Splits an untrusted envelope into header and body; anything malformed is `E_ENVELOPE`. */
export function parseEnvelope(envelope: Bytes): ParsedEnvelope {
  if (envelope.length < 2) throw rejection('E_ENVELOPE', 'envelope truncated (no header)', { length: envelope.length });
  const version = envelope[0]!;
  if (version !== ENVELOPE_VERSION) throw rejection('E_ENVELOPE', `unsupported envelope version ${version}`, { version });
  const flags = envelope[1]!;
  const compression = COMPRESSION_CODES[flags & 0b11];
  if ((flags & ~KNOWN_FLAGS) !== 0 || compression === undefined) {
    throw rejection('E_ENVELOPE', `unknown envelope flags 0x${flags.toString(16)}`, { flags });
  }
  const json = (flags & FLAG_JSON) !== 0;
  if ((flags & FLAG_ENCRYPTED) === 0) {
    return { header: { compression, json }, headerBytes: envelope.subarray(0, 2), body: envelope.subarray(2) };
  }
  const keyIdLength = envelope[2] ?? 0;
  const ivStart = 3 + keyIdLength;
  const bodyStart = ivStart + IV_BYTES;
  if (keyIdLength === 0 || envelope.length < bodyStart + TAG_BYTES) {
    throw rejection('E_ENVELOPE', 'envelope truncated (encryption header or tag missing)', { length: envelope.length });
  }
  let keyId: string;
  try {
    keyId = utf8Decode(envelope.subarray(3, ivStart));
  } catch (cause) {
    throw rejection('E_ENVELOPE', 'key id is not UTF-8', undefined, cause);
  }
  return {
    header: { compression, json, encryption: { keyId, iv: envelope.slice(ivStart, bodyStart) } },
    headerBytes: envelope.subarray(0, bodyStart),
    body: envelope.subarray(bodyStart),
  };
}
