// Restore, then nobody looks: the saved cache must survive the session (real localforage on an
// in-memory IndexedDB, real timers).
import 'fake-indexeddb/auto';
import { firstValueFrom, filter } from 'rxjs';
import { createClient, createFocusManager, createOnlineManager, persistCache, type QueryClient } from '../../../lib/index.js';
import { localforageStorage } from '../../../lib/storage/localforageStorage.js';

let databases = 0;
const newStorage = () => localforageStorage({ name: `rxsync-persist-${++databases}` });
const newClient = (gcTime?: number, now: () => number = Date.now): QueryClient =>
  createClient({
    online: createOnlineManager(),
    focus: createFocusManager(),
    now,
    ...(gcTime === undefined ? {} : { defaults: { gcTime } }),
  });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const gcOf = (client: QueryClient, key: string) =>
  firstValueFrom(client.cache.removed$.pipe(filter((r) => r.reason === 'gc' && r.entry.key.hash === JSON.stringify([key]))));

async function seed(storage: ReturnType<typeof newStorage>, now: () => number = Date.now): Promise<void> {
  const first = newClient(undefined, now);
  first.setData(['todos'], ['a', 'b']);
  first.setData(['user'], { name: 'Ada' });
  const persisted = persistCache(first, storage);
  await persisted.flush();
  persisted.stop();
  first.clear();
}

describe('persistCache after a restore nobody observes', () => {
  it('restored data stays in memory for gcTime and the next start restores it again', async () => {
    const storage = newStorage();
    await seed(storage);
    const second = newClient(60_000);
    const persisted = persistCache(second, storage, { throttle: 5 });
    await persisted.restored;
    await sleep(50); // nobody subscribes
    expect(second.getData(['todos'])).toEqual(['a', 'b']);
    second.setData(['other'], 1); // any change writes the snapshot
    await sleep(30);
    persisted.stop();

    const third = newClient();
    await persistCache(third, storage).restored;
    expect(third.getData(['todos'])).toEqual(['a', 'b']);
    expect(third.getData(['user'])).toEqual({ name: 'Ada' });
    expect(third.getData(['other'])).toBe(1);
  });

  it('entries gc collects stay saved (until maxAge); clear() removes them from storage', async () => {
    const storage = newStorage();
    let now = Date.now();
    await seed(storage, () => now);
    const second = newClient(10, () => now);
    const persisted = persistCache(second, storage, { throttle: 5, maxAge: 60_000 });
    const collected = Promise.all([gcOf(second, 'todos'), gcOf(second, 'user')]);
    await persisted.restored;
    await collected; // gone from memory
    expect(second.getData(['todos'])).toBeUndefined();
    second.setData(['user'], { name: 'Grace' }); // back in memory, newer: this copy is saved
    await persisted.flush();

    const third = newClient(undefined, () => now);
    await persistCache(third, storage).restored;
    expect(third.getData(['todos'])).toEqual(['a', 'b']);
    expect(third.getData(['user'])).toEqual({ name: 'Grace' });
    third.clear();

    // Past maxAge a collected entry is no longer written.
    now += 61_000;
    second.setData(['user'], { name: 'Grace' + '!' });
    await persisted.flush();
    const fourth = newClient(undefined, () => now);
    await persistCache(fourth, storage).restored;
    expect(fourth.getData(['todos'])).toBeUndefined();
    expect(fourth.getData(['user'])).toEqual({ name: 'Grace!' });
    fourth.clear();

    // An explicit clear is a deletion the user asked for.
    second.clear();
    await persisted.flush();
    persisted.stop();
    const fifth = newClient();
    await persistCache(fifth, storage).restored;
    expect(fifth.getData(['todos'])).toBeUndefined();
    expect(fifth.getData(['user'])).toBeUndefined();
  });
});
