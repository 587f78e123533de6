import 'fake-indexeddb/auto';
import { RxSyncError } from '../../../lib/errors';
import { fallbackStorage, type StorageFallbackEvent } from '../../../lib/storage/fallbackStorage';
import { localforageStorage } from '../../../lib/storage/localforageStorage';
import { memoryStorage } from '../../../lib/storage/memoryStorage';
import { seed, seededRandom } from '../../support/fc';
import { faultyStorage, type StorageFault } from '../../support/storageFaults';
import { describeStorageContract, expectCode } from './storageContract';

let databases = 0;

describeStorageContract('fallbackStorage (healthy IndexedDB first)', () =>
  fallbackStorage([localforageStorage({ name: `fallback-${++databases}` }), memoryStorage()]),
);
describeStorageContract('fallbackStorage (first backend in private mode)', () =>
  fallbackStorage([faultyStorage(memoryStorage(), 'private', 'private'), memoryStorage({ name: 'second' })]),
);

/** A chain of fault-injectable memory backends a, b, c, … and a fallback over them. */
function chain(count: number, timeout = 40) {
  const backends = Array.from({ length: count }, (_, i) => faultyStorage(memoryStorage(), String.fromCharCode(97 + i)));
  const events: StorageFallbackEvent[] = [];
  const calls: Array<[string, string, string]> = [];
  const storage = fallbackStorage(backends, {
    timeout,
    onFallback: (from, to, error) => calls.push([from, to, error.code]),
  });
  storage.fallback$.subscribe((event) => events.push(event));
  return { backends, storage, events, calls };
}

describe('fallbackStorage', () => {
  it('uses the first backend that passes the probe, and says which', async () => {
    const { storage, events } = chain(2);
    expect(storage.current).toBeUndefined();
    expect(await storage.ready()).toBe('a');
    expect(storage.current).toBe('a');
    expect(storage.name).toBe('fallback:a');
    expect(events).toEqual([]);
  });

  it('skips a backend in private mode at the probe, reports it, and uses the next', async () => {
    const { backends, storage, events, calls } = chain(3);
    backends[0]!.fault = 'private';
    await storage.set('k', 1);
    expect(storage.current).toBe('b');
    expect(calls).toEqual([['a', 'b', 'E_STORAGE_UNAVAILABLE']]);
    expect(events[0]).toMatchObject({ from: 'a', to: 'b', phase: 'probe' });
    expect(await backends[1]!.get('k')).toBe(1);
  });

  it.each<[StorageFault, string]>([
    ['quota', 'E_STORAGE_QUOTA'],
    ['hang', 'E_STORAGE_TIMEOUT'],
    ['private', 'E_STORAGE_UNAVAILABLE'],
  ])('falls over on a %s write: the failed write lands on the next backend with everything before it', async (fault, code) => {
    const { backends, storage, events, calls } = chain(2);
    for (let n = 0; n < 10; n++) await storage.set(`k${n}`, n);
    await storage.remove('k0');
    backends[0]!.fault = fault;
    await storage.batch([
      { type: 'set', key: 'k10', value: 10 },
      { type: 'remove', key: 'k1' },
    ]);
    expect(storage.current).toBe('b');
    expect(calls).toEqual([['a', 'b', code]]);
    // A private-mode backend cannot even be read: nothing to copy, and the event says so.
    if (fault === 'private') expect(events[0]!.copy).toMatchObject({ copied: 0, error: expect.any(RxSyncError) });
    else expect(events[0]!.copy).toEqual({ copied: 9 });
    await storage.set('k11', 11);
    const expected = fault === 'private' ? ['k10', 'k11'] : ['k10', 'k11', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9'];
    expect((await storage.keys()).sort()).toEqual(expected);
    expect(await storage.get('k1')).toBeUndefined();
    expect(await storage.get('k10')).toBe(10);
    expect(await backends[1]!.get('k9')).toBe(fault === 'private' ? undefined : 9);
  });

  it('after a reload keeps reading the backend it fell over to, not the stale one', async () => {
    const { backends, storage } = chain(2);
    await storage.set('doc', 'v1');
    backends[0]!.fault = 'quota';
    await storage.set('doc', 'v2');
    backends[0]!.fault = undefined; // the first backend works again after the reload
    const reloaded = fallbackStorage(backends, { timeout: 40 });
    expect(await reloaded.get('doc')).toBe('v2');
    expect(reloaded.current).toBe('b');
    expect(await reloaded.keys()).toEqual(['doc']); // bookkeeping keys stay hidden
  });

  it('rejects a write that fails on every backend, names each error, and stays where it was', async () => {
    const { backends, storage, calls } = chain(2);
    await storage.set('k', 1);
    backends[0]!.fault = 'quota';
    backends[1]!.fault = 'hang';
    const error = await expectCode(storage.set('k', 2), 'E_STORAGE_UNAVAILABLE');
    expect(error.details).toMatchObject({
      errors: [
        { backend: 'a', code: 'E_STORAGE_QUOTA' },
        { backend: 'b', code: 'E_STORAGE_TIMEOUT' },
      ],
    });
    expect(storage.current).toBe('a');
    expect(calls).toEqual([]);
    backends[0]!.fault = undefined;
    await storage.set('k', 3);
    expect(await storage.get('k')).toBe(3);
  });

  it('never lets a backend that failed the retried write outrank the one kept, after a reload', async () => {
    const a = faultyStorage(memoryStorage(), 'a');
    const inner = memoryStorage();
    // Accepts the copy (a batch) but refuses the retried single write.
    const b = { ...inner, name: 'b', set: () => Promise.reject(new DOMException('full', 'QuotaExceededError')) };
    const storage = fallbackStorage([a, b], { timeout: 40 });
    await storage.set('k', 1);
    a.fault = 'quota';
    await expectCode(storage.set('k', 2), 'E_STORAGE_UNAVAILABLE');
    expect(await inner.get('k')).toBe(1); // the copy landed in b…
    a.fault = undefined;
    const reloaded = fallbackStorage([a, b], { timeout: 40 });
    expect(await reloaded.ready()).toBe('a'); // …but b was never stamped, so a is still the truth
    expect(await reloaded.get('k')).toBe(1);
  });

  it('rejects when no backend passes the probe, and tries again on the next call', async () => {
    const { backends, storage } = chain(2);
    backends[0]!.fault = 'private';
    backends[1]!.fault = 'quota';
    await expectCode(storage.get('k'), 'E_STORAGE_UNAVAILABLE');
    backends[1]!.fault = undefined;
    await storage.set('k', 1);
    expect(storage.current).toBe('b');
  });

  it('does not fall over for a value JSON cannot hold: that is the caller’s error', async () => {
    const { storage, calls } = chain(2);
    await expectCode(storage.set('k', 10n), 'E_STORAGE_INVALID');
    expect(storage.current).toBe('a');
    expect(calls).toEqual([]);
  });

  it('reports a hung read as E_STORAGE_TIMEOUT instead of hanging', async () => {
    const { backends, storage } = chain(2);
    await storage.set('k', 1);
    backends[0]!.fault = 'hangReads';
    await expectCode(storage.get('k'), 'E_STORAGE_TIMEOUT');
    backends[0]!.fault = undefined;
  });

  it('refuses its own bookkeeping keys as user keys', async () => {
    const { storage } = chain(1);
    await expectCode(storage.set('\u0000rxsync:fallback:generation', 1), 'E_STORAGE_INVALID');
  });

  it('times out with fake timers too: a hung write falls over after `timeout`', async () => {
    jest.useFakeTimers();
    try {
      const { backends, storage } = chain(2, 5000);
      await storage.ready();
      backends[0]!.fault = 'hang';
      const write = storage.set('k', 1);
      await jest.advanceTimersByTimeAsync(5000);
      await write;
      expect(storage.current).toBe('b');
    } finally {
      jest.useRealTimers();
    }
  });

  it(`loses nothing under random faults in a chain of three (seed ${seed})`, async () => {
    const random = seededRandom(seed);
    // Mid-session faults leave the old backend readable (full, or stuck writing); private mode
    // shows at the probe. A backend that can no longer be read at all is covered above.
    const faults: StorageFault[] = ['quota', 'hang'];
    for (let trial = 0; trial < 20; trial++) {
      const { backends, storage, events } = chain(3, 5);
      if (random() < 0.3) backends[0]!.fault = 'private';
      const model = new Map<string, number>();
      for (let step = 0; step < 40; step++) {
        // Now and then the backend in use breaks (never the last, which the test keeps healthy).
        const inUse = backends.findIndex((b) => b.name === storage.current);
        if (inUse >= 0 && inUse < 2 && random() < 0.1) backends[inUse]!.fault = faults[Math.floor(random() * faults.length)];
        const key = `k${Math.floor(random() * 8)}`;
        const roll = random();
        if (roll < 0.6) {
          await storage.set(key, step);
          model.set(key, step);
        } else if (roll < 0.8) {
          await storage.remove(key);
          model.delete(key);
        } else {
          const other = `k${Math.floor(random() * 8)}`;
          await storage.batch([
            { type: 'set', key, value: step },
            { type: 'remove', key: other },
          ]);
          model.set(key, step);
          model.delete(other); // in order: the remove wins when both name the same key
        }
      }
      expect((await storage.keys()).sort()).toEqual([...model.keys()].sort());
      for (const [key, value] of model) expect(await storage.get(key)).toBe(value);
      // Every switch was reported, with the error that caused it.
      for (const event of events) expect(event.error).toBeInstanceOf(RxSyncError);
      if (storage.current !== 'a') expect(events.length).toBeGreaterThan(0);
      expect(events.at(-1)?.to ?? 'a').toBe(storage.current);
    }
  });
});
