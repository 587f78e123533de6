// The Storage contract: one suite, run unchanged against every adapter.
import fc from 'fast-check';
import { isRxSyncError, type RxSyncError } from '../../../lib/errors';
import type { Storage } from '../../../lib/storage/storage';
import { fcParams } from '../../support/fc';

/** Makes a fresh, empty storage for one test. */
export type StorageFactory = () => Promise<Storage> | Storage;

/** Awaits `promise` and checks it rejected with an RxSyncError of `code`; returns the error. */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<RxSyncError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isRxSyncError(error, code)) throw new Error(`expected a rejection with ${code}, got ${String(error)}`);
  return error;
}

// Any UTF-16 code unit, lone surrogates included (fast-check's 'binary' unit is slow to generate).
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
const sorted = (keys: string[]): string[] => [...keys].sort();
const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

export function describeStorageContract(label: string, make: StorageFactory): void {
  describe(`Storage contract: ${label}`, () => {
    let storage: Storage;
    beforeEach(async () => {
      storage = await make();
    });

    it('has a name and answers undefined for a missing key', async () => {
      expect(typeof storage.name).toBe('string');
      expect(await storage.get('missing')).toBeUndefined();
    });

    it('sets, overwrites and removes', async () => {
      await storage.set('a', { n: 1 });
      expect(await storage.get('a')).toEqual({ n: 1 });
      await storage.set('a', [1, 'two']);
      expect(await storage.get('a')).toEqual([1, 'two']);
      await storage.remove('a');
      expect(await storage.get('a')).toBeUndefined();
      await expect(storage.remove('a')).resolves.toBeUndefined();
    });

    it('keeps null, false, 0 and the empty string apart from a missing key', async () => {
      const values = { null: null, false: false, zero: 0, empty: '', emptyList: [], emptyObject: {} };
      for (const [key, value] of Object.entries(values)) await storage.set(key, value);
      for (const [key, value] of Object.entries(values)) expect(await storage.get(key)).toEqual(value);
      expect(sorted(await storage.keys())).toEqual(sorted(Object.keys(values)));
    });

    it('lists keys, optionally by prefix', async () => {
      for (const key of ['todo:1', 'todo:2', 'todos', 'user:1', 'Todo:3']) await storage.set(key, key);
      expect(sorted(await storage.keys())).toEqual(['Todo:3', 'todo:1', 'todo:2', 'todos', 'user:1']);
      expect(sorted(await storage.keys('todo:'))).toEqual(['todo:1', 'todo:2']);
      expect(await storage.keys('nothing:')).toEqual([]);
    });

    it('applies a batch in order: the last write of a key wins, removes included', async () => {
      await storage.set('old', 1);
      await storage.batch([
        { type: 'set', key: 'a', value: 1 },
        { type: 'set', key: 'b', value: 2 },
        { type: 'remove', key: 'old' },
        { type: 'set', key: 'a', value: 3 },
        { type: 'remove', key: 'b' },
        { type: 'set', key: 'c', value: { deep: [null] } },
      ]);
      expect(await storage.get('a')).toBe(3);
      expect(await storage.get('b')).toBeUndefined();
      expect(await storage.get('old')).toBeUndefined();
      expect(await storage.get('c')).toEqual({ deep: [null] });
      expect(sorted(await storage.keys())).toEqual(['a', 'c']);
      await expect(storage.batch([])).resolves.toBeUndefined();
    });

    it('refuses values JSON cannot hold with E_STORAGE_INVALID, and a bad batch writes nothing', async () => {
      await expectCode(storage.set('u', undefined), 'E_STORAGE_INVALID');
      await expectCode(
        storage.set('f', () => 1),
        'E_STORAGE_INVALID',
      );
      await expectCode(storage.set('b', { n: 1n }), 'E_STORAGE_INVALID');
      const cycle: { self?: unknown } = {};
      cycle.self = cycle;
      await expectCode(
        storage.batch([
          { type: 'set', key: 'fine', value: 1 },
          { type: 'set', key: 'cycle', value: cycle },
        ]),
        'E_STORAGE_INVALID',
      );
      expect(await storage.keys()).toEqual([]);
    });

    it('stores a copy: mutating the object after set, or what get returned, changes nothing stored', async () => {
      const value = { list: [1], nested: { n: 1 } };
      await storage.set('k', value);
      value.list.push(2);
      value.nested.n = 99;
      const read = await storage.get<typeof value>('k');
      expect(read).toEqual({ list: [1], nested: { n: 1 } });
      read!.list.push(3);
      expect(await storage.get('k')).toEqual({ list: [1], nested: { n: 1 } });
    });

    it('round-trips any JSON value as JSON would', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.jsonValue(), async (value) => {
          const key = `json:${run++}`;
          await storage.set(key, value);
          expect(await storage.get(key)).toEqual(viaJson(value));
        }),
        fcParams(200),
      );
    });

    it('round-trips any string as a key, and lists it under its own prefix', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: anyCodeUnit, maxLength: 80 }), fc.integer(), async (suffix, value) => {
          const key = `key${run++}/${suffix}`;
          await storage.set(key, value);
          expect(await storage.get(key)).toBe(value);
          expect(await storage.keys(key)).toContain(key);
          await storage.remove(key);
          expect(await storage.keys(key)).not.toContain(key);
        }),
        fcParams(200),
      );
    });

    it('treats __proto__, constructor and prototype as ordinary keys and values, polluting nothing', async () => {
      const reserved = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', ''];
      for (const key of reserved) await storage.set(key, { key });
      for (const key of reserved) expect(await storage.get(key)).toEqual({ key });
      expect(sorted(await storage.keys())).toEqual(sorted(reserved));
      const hostile = JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}') as unknown;
      await storage.set('hostile', hostile);
      const back = (await storage.get('hostile')) as Record<string, unknown>;
      expect(Object.prototype.hasOwnProperty.call(back, '__proto__')).toBe(true);
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
      for (const key of reserved) await storage.remove(key);
      expect(await storage.keys()).toEqual(['hostile']);
    });

    it('ends concurrent writes to one key with the last one called, and reads see earlier calls', async () => {
      const writes: Array<Promise<void>> = [];
      for (let n = 0; n < 50; n++) {
        if (n % 10 === 3) writes.push(storage.remove('hot'));
        else if (n % 10 === 7) writes.push(storage.batch([{ type: 'set', key: 'hot', value: n }]));
        else writes.push(storage.set('hot', n));
      }
      const read = storage.get('hot'); // called after every write above, none awaited
      await Promise.all(writes);
      expect(await read).toBe(49);
      expect(await storage.get('hot')).toBe(49);
    });
  });
}
