// Real localforage on an in-memory IndexedDB. `fake-indexeddb/auto` must run before localforage
// is first evaluated (until the jest setup file does it for every suite).
import 'fake-indexeddb/auto';
import localforage from 'localforage';
import { localforageStorage, type LocalForageInstanceLike, type LocalForageLike } from '../../../lib/storage/localforageStorage';
import { describeStorageContract, expectCode } from './storageContract';

let databases = 0;
const freshName = (): string => `rxsync-test-${++databases}`;

describeStorageContract('localforageStorage (IndexedDB)', () => localforageStorage({ name: freshName() }));

/** A localforage stand-in on a Map, for the non-IndexedDB path (localStorage-like drivers). */
function mapForage(failSetOn?: string): LocalForageLike & { entries: Map<string, unknown> } {
  const entries = new Map<string, unknown>();
  const instance: LocalForageInstanceLike = {
    getItem: async (key) => (entries.has(key) ? entries.get(key) : null),
    setItem: async (key, value) => {
      if (key === failSetOn) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      entries.set(key, value);
    },
    removeItem: async (key) => void entries.delete(key),
    keys: async () => [...entries.keys()],
    ready: async () => undefined,
    driver: () => 'localStorageWrapper',
  };
  return { entries, createInstance: () => instance };
}

describeStorageContract('localforageStorage (one-by-one driver)', () => localforageStorage({ localforage: mapForage() }));

describe('localforageStorage', () => {
  it('reports the driver it ended up on', async () => {
    const storage = localforageStorage({ name: freshName() });
    await storage.get('x');
    expect(storage.name).toBe('indexeddb');
    const other = localforageStorage({ localforage: mapForage() });
    await other.keys();
    expect(other.name).toBe('localstorage');
  });

  it('stores data where plain localforage finds it, batch included', async () => {
    const name = freshName();
    const storage = localforageStorage({ name, storeName: 'kv' });
    await storage.set('one', { n: 1 });
    await storage.batch([
      { type: 'set', key: 'two', value: [2] },
      { type: 'set', key: 'three', value: null },
    ]);
    const plain = localforage.createInstance({ name, storeName: 'kv' });
    expect((await plain.keys()).sort()).toEqual(['one', 'three', 'two']);
    expect(await plain.getItem('two')).toBe('[2]');
    // A second adapter on the same database reads the same data.
    expect(await localforageStorage({ name, storeName: 'kv' }).get('three')).toBeNull();
  });

  it('applies a batch in one IndexedDB transaction: a failure part-way writes none of it', async () => {
    const storage = localforageStorage({ name: freshName() });
    await storage.set('keep', 'old');
    const put = IDBObjectStore.prototype.put;
    let calls = 0;
    const spy = jest.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args) {
      if (++calls === 3) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    });
    try {
      const error = await expectCode(
        storage.batch([
          { type: 'set', key: 'keep', value: 'new' },
          { type: 'set', key: 'a', value: 1 },
          { type: 'set', key: 'b', value: 2 },
        ]),
        'E_STORAGE_QUOTA',
      );
      expect(error.details).toMatchObject({ backend: 'indexeddb', operation: 'batch' });
    } finally {
      spy.mockRestore();
    }
    expect(await storage.get('keep')).toBe('old');
    expect(await storage.keys()).toEqual(['keep']);
  });

  it('on other drivers applies a batch in order, so a failure leaves a prefix (documented)', async () => {
    const forage = mapForage('b');
    const storage = localforageStorage({ localforage: forage });
    await expectCode(
      storage.batch([
        { type: 'set', key: 'a', value: 1 },
        { type: 'set', key: 'b', value: 2 },
        { type: 'set', key: 'c', value: 3 },
      ]),
      'E_STORAGE_QUOTA',
    );
    expect([...forage.entries.keys()]).toEqual(['a']);
  });

  it('gives E_STORAGE_CORRUPT, naming the key, for data that is not its JSON text', async () => {
    const name = freshName();
    await localforage.createInstance({ name }).setItem('foreign', { not: 'text' });
    await localforage.createInstance({ name }).setItem('broken', '{"cut');
    const storage = localforageStorage({ name });
    const error = await expectCode(storage.get('foreign'), 'E_STORAGE_CORRUPT');
    expect(error.details).toMatchObject({ key: 'foreign' });
    expect(error.message).toContain('"foreign"');
    await expectCode(storage.get('broken'), 'E_STORAGE_CORRUPT');
  });
});
