import type { Storage, StorageWrite } from '../storage/storage.js';
import type { EncryptionOptions } from './aesGcm.js';
import { codecChain, type EnvelopeCodec } from './codecChain.js';
import type { RejectHandler } from './codecErrors.js';
import { compress, encrypt, json, type CompressOptions } from './stages.js';
import { checkOptions } from '../options/checkOptions.js';
import { encryptedOptionSpec } from '../options/specs.js';

/** Options of {@link encryptedStorage}. */
export interface EncryptedStorageOptions extends EncryptionOptions {
  /**
   * Names this store (an app, user or database id) inside the authenticated data, so values
   * cannot be copied between two encrypted stores that share a key. Default `''`.
   */
  context?: string;
  /** Compress values before encrypting them (`false` by default: see {@link compress} on length leaks). */
  compress?: CompressOptions | false;
  /** Called for every stored value that fails to decrypt (metrics). */
  onReject?: RejectHandler;
}

/**
 * Wraps any {@link Storage} so every value is stored as an AES-GCM envelope (base64url text).
 * Each value is bound to its key name: a value moved or copied to another key fails to decrypt
 * (`E_DECRYPT`) instead of being read as that key's value.
 *
 * **Key names stay plain text**: `keys(prefix)` must keep working, so do not put secrets in them.
 * Value sizes are visible too (rounded by nothing).
 *
 * Reading a value that does not decrypt (wrong key, tampering, an unknown key id) rejects with a
 * coded error and leaves the stored bytes untouched, so the right key can still read them later.
 * `batch` encrypts every value first and only then hands the writes to the backend: all or nothing.
 * Values written under older key ids stay readable; writes use `currentKeyId`.
 *
 * @example
 * ```ts
 * const key = await deriveKey(passphrase, { salt });
 * const storage = encryptedStorage(localforageStorage(), { keys: { k1: key }, currentKeyId: 'k1', context: userId });
 * const outbox = createOutbox({ storage });
 * ```
 */
export function encryptedStorage(storage: Storage, options: EncryptedStorageOptions): Storage {
  checkOptions('encryptedStorage', options, encryptedOptionSpec);
  const stages = options.compress
    ? ([json(), compress(options.compress), encrypt(options)] as const)
    : ([json(), encrypt(options)] as const);
  const codec: EnvelopeCodec<unknown> = codecChain(stages, options.onReject ? { onReject: options.onReject } : {});
  const scope = options.context ?? '';
  // JSON of a pair: unambiguous for any scope and key strings.
  const contextOf = (key: string): string => JSON.stringify(['storage', scope, key]);
  const seal = (key: string, value: unknown): Promise<string> => codec.encodeText(value, contextOf(key));

  return {
    name: `encrypted(${storage.name})`,
    // The same data as the wrapped storage: outboxes in several tabs over it coordinate as over it.
    id: storage.id,
    shared: storage.shared,
    async get<T = unknown>(key: string): Promise<T | undefined> {
      const stored = await storage.get<unknown>(key);
      if (stored === undefined) return undefined;
      return (await codec.decodeText(stored as string, contextOf(key))) as T;
    },
    async set(key, value) {
      await storage.set(key, await seal(key, value));
    },
    remove: (key) => storage.remove(key),
    keys: (prefix) => storage.keys(prefix),
    async batch(writes) {
      const sealed = await Promise.all(
        writes.map(async (write): Promise<StorageWrite> =>
          write.type === 'set' ? { ...write, value: await seal(write.key, write.value) } : write,
        ),
      );
      await storage.batch(sealed);
    },
  };
}
