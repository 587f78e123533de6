import { encryptedStorage } from '../../../lib/codec/encryptedStorage.js';
import { rejectCounter } from '../../../lib/codec/codecErrors.js';
import { memoryStorage } from '../../../lib/storage/memoryStorage.js';
import { newKey, rejectionOf } from './helpers.js';

let k1: CryptoKey;
let k2: CryptoKey;
beforeAll(async () => {
  k1 = await newKey();
  k2 = await newKey();
});

describe('encryptedStorage', () => {
  it('stores only ciphertext; keys stay plain; values read back', async () => {
    const backend = memoryStorage();
    const storage = encryptedStorage(backend, { keys: { k1 }, currentKeyId: 'k1', context: 'user-1' });
    expect(storage.name).toBe('encrypted(memory)');
    await storage.set('todo:1', { title: 'buy oat milk' });
    await storage.batch([
      { type: 'set', key: 'todo:2', value: ['secret plans'] },
      { type: 'remove', key: 'todo:1' },
      { type: 'set', key: 'todo:3', value: 'x'.repeat(2000) },
    ]);
    expect(await storage.keys('todo:')).toEqual(['todo:2', 'todo:3']);
    const raw = JSON.stringify(await Promise.all((await backend.keys()).map((key) => backend.get(key))));
    expect(raw).not.toContain('secret');
    expect(raw).not.toContain('xxxx');
    expect(await storage.get('todo:2')).toEqual(['secret plans']);
    expect(await storage.get('todo:1')).toBeUndefined();
    await storage.remove('todo:2');
    expect(await storage.get('todo:2')).toBeUndefined();
  });

  it('a value moved to another key or another store does not decrypt, and the stored bytes stay intact', async () => {
    const backend = memoryStorage();
    const rejects = rejectCounter();
    const storage = encryptedStorage(backend, { keys: { k1 }, currentKeyId: 'k1', context: 'user-1', onReject: rejects.onReject });
    await storage.set('balance:alice', 10);
    await backend.set('balance:bob', await backend.get('balance:alice'));
    expect((await rejectionOf(storage.get('balance:bob'))).code).toBe('E_DECRYPT');
    const otherUser = encryptedStorage(backend, { keys: { k1 }, currentKeyId: 'k1', context: 'user-2' });
    expect((await rejectionOf(otherUser.get('balance:alice'))).code).toBe('E_DECRYPT');
    expect(await storage.get('balance:alice')).toBe(10);
    expect(rejects.counts.E_DECRYPT).toBe(1);
  });

  it('survives a reload with the right key; a wrong key reports the error and keeps the data', async () => {
    const backend = memoryStorage();
    await encryptedStorage(backend, { keys: { k1 }, currentKeyId: 'k1' }).set('outbox:1', { op: 'add' });
    const before = await backend.get('outbox:1');

    const wrong = encryptedStorage(backend, { keys: { k1: k2 }, currentKeyId: 'k1' });
    expect((await rejectionOf(wrong.get('outbox:1'))).code).toBe('E_DECRYPT');
    const unknown = encryptedStorage(backend, { keys: { k2 }, currentKeyId: 'k2' });
    expect((await rejectionOf(unknown.get('outbox:1'))).code).toBe('E_KEY_UNKNOWN');
    expect(await backend.get('outbox:1')).toBe(before);

    const reloaded = encryptedStorage(backend, { keys: { k1 }, currentKeyId: 'k1' });
    expect(await reloaded.get('outbox:1')).toEqual({ op: 'add' });
  });

  it('rotation: old values still read, new writes use the newest key', async () => {
    const backend = memoryStorage();
    await encryptedStorage(backend, { keys: { k1 }, currentKeyId: 'k1' }).set('a', 1);
    const rotated = encryptedStorage(backend, { keys: { k1, k2 }, currentKeyId: 'k2', compress: { minBytes: 0 } });
    expect(await rotated.get('a')).toBe(1);
    await rotated.set('b', { n: 2 });
    expect((await rejectionOf(encryptedStorage(backend, { keys: { k1 }, currentKeyId: 'k1' }).get('b'))).code).toBe('E_KEY_UNKNOWN');
    expect(await encryptedStorage(backend, { keys: { k2 }, currentKeyId: 'k2', compress: {} }).get('b')).toEqual({ n: 2 });
  });

  it('batch is all-or-nothing: a value that cannot be encoded writes nothing', async () => {
    const backend = memoryStorage();
    const storage = encryptedStorage(backend, { keys: { k1 }, currentKeyId: 'k1' });
    await expect(
      storage.batch([
        { type: 'set', key: 'ok', value: 1 },
        { type: 'set', key: 'bad', value: undefined },
      ]),
    ).rejects.toMatchObject({ code: 'E_VALUE_INVALID' });
    expect(await backend.keys()).toEqual([]);
  });
});
