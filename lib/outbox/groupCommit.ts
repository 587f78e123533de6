import type { Storage, StorageWrite } from '../storage/storage.js';

/**
 * Group commit: writes requested while a batch is being written wait and go together in the
 * next one, so a burst of N enqueues costs a couple of storage transactions, not N. Batches are
 * written one after another, in request order; each caller's promise resolves when its writes
 * are durable, or rejects with the storage error.
 */
export interface GroupCommitter {
  write(writes: readonly StorageWrite[]): Promise<void>;
  /** Resolves when everything requested so far is written. */
  idle(): Promise<void>;
}

/** Creates a {@link GroupCommitter} over `storage`. */
export function createGroupCommitter(storage: Storage): GroupCommitter {
  let queued: StorageWrite[] = [];
  let waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  let running: Promise<void> | undefined;

  const flush = async (): Promise<void> => {
    // Let every synchronous caller of this turn join the batch.
    await Promise.resolve();
    while (queued.length > 0) {
      const writes = queued;
      const batchWaiters = waiters;
      queued = [];
      waiters = [];
      try {
        await storage.batch(writes);
        batchWaiters.forEach((w) => w.resolve());
      } catch (err) {
        batchWaiters.forEach((w) => w.reject(err));
      }
    }
    running = undefined;
  };

  return {
    write(writes) {
      return new Promise<void>((resolve, reject) => {
        queued.push(...writes);
        waiters.push({ resolve, reject });
        running ??= flush();
      });
    },
    async idle() {
      while (running !== undefined) await running;
    },
  };
}
