import localforage from 'localforage';
import { createOperationOrder } from './operationOrder.js';
import type { Storage, StorageWrite } from './storage.js';
import { backendError } from './storageErrors.js';
import { assertStorageKey, decodeStorageValue, encodeStorageValue } from './storageValue.js';
import { checkOptions } from '../options/checkOptions.js';
import { localforageOptionSpec } from '../options/specs.js';

/** The part of a localforage instance that {@link localforageStorage} uses. */
export interface LocalForageInstanceLike {
  getItem(key: string): Promise<unknown>;
  setItem(key: string, value: string): Promise<unknown>;
  removeItem(key: string): Promise<void>;
  keys(): Promise<string[]>;
  ready(): Promise<void>;
  driver(): string | null;
}

/** The part of the localforage module that {@link localforageStorage} uses: `createInstance`. */
export interface LocalForageLike {
  createInstance(options: { name?: string; storeName?: string; driver?: string | string[] }): LocalForageInstanceLike;
}

/** Options of {@link localforageStorage}. */
export interface LocalForageStorageOptions {
  /** The database name. Default `'rxsync'`. */
  name?: string;
  /** The object store (table) inside the database. Default `'keyvaluepairs'`, localforage's own. */
  storeName?: string;
  /** localforage driver(s) to use, in order of preference. Default: localforage's (IndexedDB first). */
  driver?: string | string[];
  /** The localforage module to create the instance with; injectable for tests. Default: `localforage`. */
  localforage?: LocalForageLike;
}

/** localforage's driver ids mapped to the names shown in reports. */
const driverNames: Readonly<Record<string, string>> = {
  asyncStorage: 'indexeddb',
  localStorageWrapper: 'localstorage',
  webSQLStorage: 'websql',
};

type EncodedWrite = { readonly key: string; readonly text: string | undefined };

/**
 * The browser default {@link Storage}: IndexedDB through localforage (which falls back to
 * localStorage where IndexedDB is missing). Values are stored as JSON text, so `null` round-trips
 * and every read is validated.
 *
 * `batch` on IndexedDB is **one readwrite transaction** with strict durability: after a crash or
 * a failed write, either all of its writes are there or none. On other localforage drivers it
 * applies the writes one by one, in order, so a crash or failure part-way leaves a prefix applied.
 * Operations keep call order: writes run one at a time, and a read sees every write called before it.
 *
 * @example
 * ```ts
 * import { localforageStorage } from 'rxsync/storage';
 * const storage = localforageStorage({ name: 'todo-app' });
 * await storage.batch([{ type: 'set', key: 'a', value: 1 }, { type: 'remove', key: 'b' }]);
 * ```
 */
export function localforageStorage(options: LocalForageStorageOptions = {}): Storage {
  checkOptions('localforageStorage', options, localforageOptionSpec);
  const factory: LocalForageLike = options.localforage ?? localforage;
  const database = options.name ?? 'rxsync';
  const storeName = options.storeName ?? 'keyvaluepairs';
  const instance = factory.createInstance({
    name: database,
    storeName,
    ...(options.driver === undefined ? {} : { driver: options.driver }),
  });
  const order = createOperationOrder();
  let name = 'localforage';

  // Every call goes through here: it learns the driver once ready and codes any failure.
  const run = async <T>(operation: string, key: string | undefined, task: () => Promise<T>): Promise<T> => {
    try {
      await instance.ready();
      const driver = instance.driver();
      if (driver !== null) name = driverNames[driver] ?? driver;
      return await task();
    } catch (err) {
      throw backendError(name, operation, err, key);
    }
  };

  const write = (operation: string, key: string | undefined, writes: readonly EncodedWrite[]): Promise<void> =>
    order.write(() =>
      run(operation, key, async () => {
        if (writes.length > 1 && (await batchInOneTransaction(instance, writes))) return;
        for (const { key: k, text } of writes) {
          if (text === undefined) await instance.removeItem(k);
          else await instance.setItem(k, text);
        }
      }),
    );

  return {
    id: `localforage:${database}/${storeName}`,
    get name() {
      return name;
    },
    async get<T = unknown>(key: string): Promise<T | undefined> {
      assertStorageKey(key);
      const stored = await order.read(() => run('get', key, () => instance.getItem(key)));
      // localforage answers null for a missing key; stored values are always JSON text.
      return stored === null || stored === undefined ? undefined : decodeStorageValue<T>(key, stored, name);
    },
    async set(key, value) {
      assertStorageKey(key);
      return write('set', key, [{ key, text: encodeStorageValue(key, value) }]);
    },
    async remove(key) {
      assertStorageKey(key);
      return write('remove', key, [{ key, text: undefined }]);
    },
    async keys(prefix = '') {
      const all = await order.read(() => run('keys', undefined, () => instance.keys()));
      return all.filter((key) => key.startsWith(prefix));
    },
    async batch(writes: readonly StorageWrite[]) {
      // Encode everything first: a bad value rejects the batch before anything is written.
      const encoded = writes.map((w): EncodedWrite => {
        assertStorageKey(w.key);
        return { key: w.key, text: w.type === 'set' ? encodeStorageValue(w.key, w.value) : undefined };
      });
      if (encoded.length === 0) return;
      return write('batch', undefined, encoded);
    },
  };
}

/** localforage's IndexedDB driver state; not public API, so every field is checked before use. */
type IndexedDbInfo = { db?: unknown; storeName?: unknown };

/**
 * Writes all of `writes` in one IndexedDB transaction on the connection localforage opened, the
 * same values `setItem` would store. False when the instance is not on IndexedDB (the caller then
 * writes one by one).
 */
async function batchInOneTransaction(instance: LocalForageInstanceLike, writes: readonly EncodedWrite[]): Promise<boolean> {
  if (instance.driver() !== 'asyncStorage') return false;
  const open = (): { db: IDBDatabase; storeName: string } | undefined => {
    const info = (instance as unknown as { _dbInfo?: IndexedDbInfo })._dbInfo;
    const db = info?.db;
    const storeName = info?.storeName;
    const looksLikeDb = typeof db === 'object' && db !== null && typeof (db as { transaction?: unknown }).transaction === 'function';
    return looksLikeDb && typeof storeName === 'string' ? { db: db as IDBDatabase, storeName } : undefined;
  };
  let target = open();
  if (target === undefined) return false;
  let transaction: IDBTransaction;
  try {
    transaction = target.db.transaction(target.storeName, 'readwrite', { durability: 'strict' });
  } catch {
    // The connection was closed (another tab upgraded the database): a localforage call reopens it.
    await instance.keys();
    target = open();
    if (target === undefined) return false;
    transaction = target.db.transaction(target.storeName, 'readwrite', { durability: 'strict' });
  }
  const done = new Promise<void>((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
  });
  try {
    const store = transaction.objectStore(target.storeName);
    for (const { key, text } of writes) {
      if (text === undefined) store.delete(key);
      else store.put(text, key);
    }
  } catch (err) {
    transaction.abort();
    done.catch(() => undefined);
    throw err;
  }
  await done;
  return true;
}
