import { persistCache, type QueryClient, type RxSyncError } from '../../../lib/index.js';
import { createTestClient, createVirtualClock, type TestClient, type VirtualClock } from '../../../testing/index.js';
import { recordingStorage } from '../../support/recordingStorage.js';

describe('persistCache', () => {
  let clock: VirtualClock;
  const clients: TestClient[] = [];
  /** A client on the test's virtual clock: a page load. */
  const newClient = (): QueryClient => {
    const test = createTestClient({ clock });
    clients.push(test);
    return test.client;
  };
  beforeEach(() => (clock = createVirtualClock()));
  afterEach(() => {
    for (const test of clients.splice(0)) test.dispose();
    clock.dispose();
  });

  it('writes once per throttle window, and a new client restores what was saved', async () => {
    const storage = recordingStorage();
    const a = newClient();
    const persisted = persistCache(a, storage, { throttle: 1000 });
    await persisted.restored;
    for (let i = 0; i < 50; i++) a.setData(['todos', i % 5], { i });
    expect(storage.batches + storage.data.size).toBe(0); // nothing yet: throttled
    await clock.advance(999);
    expect(storage.batches + storage.data.size).toBe(0);
    await clock.advance(1);
    expect(storage.data.size).toBe(1);
    persisted.stop();

    const b = newClient();
    await persistCache(b, storage).restored;
    expect(b.getData(['todos', 4])).toEqual({ i: 49 });
    expect(b.getData(['todos', 0])).toEqual({ i: 45 });
  });

  it('discards a saved cache when the buster changed or it is older than maxAge, and says why', async () => {
    const storage = recordingStorage();
    const a = newClient();
    a.setData(['x'], 1);
    await persistCache(a, storage, { buster: 'v1' }).flush();

    const errors: RxSyncError[] = [];
    const b = newClient();
    await persistCache(b, storage, { buster: 'v2', onError: (e) => errors.push(e) }).restored;
    expect(b.getData(['x'])).toBeUndefined();
    expect(errors[0]!.message).toMatch(/buster changed \("v1" → "v2"\)/);
    expect(storage.data.size).toBe(0);

    await persistCache(a, storage, { buster: 'v1' }).flush();
    await clock.advance(2 * 24 * 60 * 60 * 1000);
    const c = newClient();
    await persistCache(c, storage, { buster: 'v1', onError: (e) => errors.push(e) }).restored;
    expect(c.getData(['x'])).toBeUndefined();
    expect(errors[1]!.message).toMatch(/older than maxAge/);
  });

  it('migrates older versions and refuses newer ones', async () => {
    const storage = recordingStorage();
    const a = newClient();
    a.setData(['user'], { name: 'Ada' });
    await persistCache(a, storage, { version: 1 }).flush();

    const b = newClient();
    await persistCache(b, storage, {
      version: 2,
      migrate: (snapshot, from) => {
        expect(from).toBe(1);
        const s = snapshot as { version: 1; queries: Array<{ key: unknown[]; data: { name: string }; updatedAt: number }> };
        return { ...s, queries: s.queries.map((q) => ({ ...q, data: { fullName: q.data.name } })) };
      },
    }).restored;
    expect(b.getData(['user'])).toEqual({ fullName: 'Ada' });

    await persistCache(b, storage, { version: 2 }).flush();
    const errors: RxSyncError[] = [];
    const c = newClient();
    await persistCache(c, storage, { version: 1, onError: (e) => errors.push(e) }).restored;
    expect(c.getData(['user'])).toBeUndefined();
    expect(errors[0]!.message).toMatch(/newer version/);
  });

  it('an unreadable saved cache is discarded and reported, never crashes or half-applies', async () => {
    const storage = recordingStorage();
    storage.data.set('rxsync:cache', {
      buster: '',
      version: 1,
      savedAt: Date.now(),
      snapshot: { version: 1, queries: [{ key: ['ok'], data: 1, updatedAt: 1 }, { key: 'bad' }] },
    });
    const errors: RxSyncError[] = [];
    const client = newClient();
    await persistCache(client, storage, { onError: (e) => errors.push(e) }).restored;
    expect(client.getData(['ok'])).toBeUndefined();
    expect(errors[0]!.message).toMatch(/queries\[1\]\.key must be an array/);
    expect(storage.data.has('rxsync:cache')).toBe(false);
  });
});
