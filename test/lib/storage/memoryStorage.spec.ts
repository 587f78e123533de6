import { memoryStorage } from '../../../lib/storage/memoryStorage';
import { describeStorageContract } from './storageContract';

describeStorageContract('memoryStorage', () => memoryStorage());

describe('memoryStorage', () => {
  it('is named memory unless told otherwise', () => {
    expect(memoryStorage().name).toBe('memory');
    expect(memoryStorage({ name: 'scratch' }).name).toBe('scratch');
  });

  it('keeps separate stores apart', async () => {
    const a = memoryStorage();
    const b = memoryStorage();
    await a.set('k', 1);
    expect(await b.get('k')).toBeUndefined();
  });
});
