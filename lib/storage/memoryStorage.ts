import type { Storage, StorageWrite } from './storage.js';
import { assertStorageKey, decodeStorageValue, encodeStorageValue } from './storageValue.js';
import { checkOptions } from '../options/checkOptions.js';
import { memoryStorageOptionSpec } from '../options/specs.js';

/** Options of {@link memoryStorage}. */
export interface MemoryStorageOptions {
  /** The name shown in reports. Default `'memory'`. */
  name?: string;
}

/**
 * A {@link Storage} in memory, gone on reload: for tests, server-side rendering, and apps that
 * do not persist. Values are kept as JSON text, so mutating an object after `set` does not change
 * what is stored, and `get` returns a fresh copy each time, as a real backend would.
 * `batch` is all-or-nothing: every value is checked before any is applied.
 *
 * @example
 * ```ts
 * const storage = memoryStorage();
 * await storage.set('todo:1', { title: 'milk' });
 * await storage.keys('todo:'); // ['todo:1']
 * ```
 */
export function memoryStorage(options: MemoryStorageOptions = {}): Storage {
  checkOptions('memoryStorage', options, memoryStorageOptionSpec);
  const name = options.name ?? 'memory';
  // A Map, so keys such as `__proto__` are ordinary keys.
  const entries = new Map<string, string>();

  const apply = (writes: readonly StorageWrite[]): void => {
    // Encode everything first: one bad value leaves the store untouched.
    const encoded = writes.map((write): { key: string; text: string | undefined } => {
      assertStorageKey(write.key);
      return { key: write.key, text: write.type === 'set' ? encodeStorageValue(write.key, write.value) : undefined };
    });
    for (const write of encoded) {
      if (write.text === undefined) entries.delete(write.key);
      else entries.set(write.key, write.text);
    }
  };

  return {
    name,
    async get<T = unknown>(key: string): Promise<T | undefined> {
      assertStorageKey(key);
      const text = entries.get(key);
      return text === undefined ? undefined : decodeStorageValue<T>(key, text, name);
    },
    async set(key, value) {
      apply([{ type: 'set', key, value }]);
    },
    async remove(key) {
      apply([{ type: 'remove', key }]);
    },
    async keys(prefix = '') {
      return [...entries.keys()].filter((key) => key.startsWith(prefix));
    },
    async batch(writes) {
      apply(writes);
    },
  };
}
