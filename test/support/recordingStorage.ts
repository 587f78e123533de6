import type { Storage, StorageWrite } from '../../lib/storage/storage.js';

/**
 * An in-memory Storage for outbox tests that records batches and can be told to fail.
 * Values are JSON-copied, like a real backend.
 */
export interface RecordingStorage extends Storage {
  readonly data: Map<string, unknown>;
  /** Number of `batch` calls so far. */
  batches: number;
  /** Makes the next `n` writes reject with `error`. */
  failWrites(n: number, error: Error): void;
}

/** Ops held in outbox segments (written, not yet tidied away), in storage order. */
export function storedOps<T = unknown>(storage: RecordingStorage): Array<{ id: string; payload: T; seq: number }> {
  return [...storage.data.entries()]
    .filter(([key]) => key.includes(':seg:'))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .flatMap(([, value]) => (value as { ops: Array<{ id: string; payload: T; seq: number }> }).ops);
}

export function recordingStorage(name = 'recording'): RecordingStorage {
  const data = new Map<string, unknown>();
  let failures = 0;
  let failure: Error | undefined;
  const copy = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
  const maybeFail = async (): Promise<void> => {
    await Promise.resolve();
    if (failures > 0) {
      failures--;
      throw failure;
    }
  };
  const storage: RecordingStorage = {
    name,
    data,
    batches: 0,
    failWrites(n, error) {
      failures = n;
      failure = error;
    },
    async get<T>(key: string) {
      await Promise.resolve();
      return copy(data.get(key)) as T | undefined;
    },
    async set(key, value) {
      await maybeFail();
      data.set(key, copy(value));
    },
    async remove(key) {
      await maybeFail();
      data.delete(key);
    },
    async keys(prefix = '') {
      await Promise.resolve();
      return [...data.keys()].filter((k) => k.startsWith(prefix));
    },
    async batch(writes: readonly StorageWrite[]) {
      storage.batches++;
      await maybeFail();
      for (const w of writes) {
        if (w.type === 'set') data.set(w.key, copy(w.value));
        else data.delete(w.key);
      }
    },
  };
  return storage;
}
