// Codecs: JSON, compression and AES-GCM envelopes, key derivation, encrypted storage and payloads.
export { codecChain, type CodecChainOptions, type EnvelopeCodec } from './codecChain.js';
export {
  compress,
  encrypt,
  json,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  type ByteStage,
  type CodecStage,
  type CompressOptions,
  type CompressStage,
  type EncryptStage,
  type JsonStage,
} from './stages.js';
export type { CompressFormat } from './streams.js';
export type { EncryptionOptions, KeyRing } from './aesGcm.js';
export {
  CODEC_REJECT_CODES,
  isCodecRejection,
  rejectCounter,
  type CodecRejectCode,
  type CodecRejection,
  type RejectCounter,
  type RejectHandler,
} from './codecErrors.js';
export {
  deriveKey,
  deriveKeyFromSecret,
  hkdfSha256,
  pbkdf2Sha256,
  PBKDF2_DEFAULT_ITERATIONS,
  PBKDF2_MIN_SALT_BYTES,
  type DeriveKeyFromSecretOptions,
  type DeriveKeyOptions,
} from './keyDerivation.js';
export { encryptedStorage, type EncryptedStorageOptions } from './encryptedStorage.js';
export { encryptedPayloads, type EncryptedPayloads, type EncryptedPayloadsOptions } from './encryptedPayloads.js';
