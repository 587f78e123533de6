import { Observable, Subject } from 'rxjs';
import { RxSyncError, isRxSyncError } from '../errors.js';
import { createOperationOrder } from './operationOrder.js';
import type { Storage, StorageWrite } from './storage.js';
import { backendError } from './storageErrors.js';
import { assertStorageKey } from './storageValue.js';
import { checkOptions } from '../options/checkOptions.js';
import { fallbackStorageOptionSpec } from '../options/specs.js';

/** One switch from a failing backend to the next, as reported by {@link fallbackStorage}. */
export interface StorageFallbackEvent {
  /** The backend given up on. */
  readonly from: string;
  /** The backend now in use. */
  readonly to: string;
  /** Why `from` was given up on (`E_STORAGE_QUOTA`, `E_STORAGE_TIMEOUT`, `E_STORAGE_UNAVAILABLE`, …). */
  readonly error: RxSyncError;
  /** `'probe'` when `from` failed its start-up check, `'write'` when a write to it failed. */
  readonly phase: 'probe' | 'write';
  /** After a failed write: how many keys were copied from `from`, and the copy's error if it was incomplete. */
  readonly copy?: { readonly copied: number; readonly error?: RxSyncError };
}

/** Options of {@link fallbackStorage}. */
export interface FallbackStorageOptions {
  /** A backend call that takes longer than this many ms counts as failed (`E_STORAGE_TIMEOUT`). Default 5000. */
  timeout?: number;
  /** Called on every switch, before the write that caused it resolves. */
  onFallback?: (from: string, to: string, error: RxSyncError, event: StorageFallbackEvent) => void;
}

/** A {@link Storage} over a chain of backends; see {@link fallbackStorage}. */
export interface FallbackStorage extends Storage {
  /** The name of the backend in use, or `undefined` before the start-up probe has finished. */
  readonly current: string | undefined;
  /** Every switch, as it happens (hot: subscribe early, or read `current`). */
  readonly fallback$: Observable<StorageFallbackEvent>;
  /** Runs the start-up probe (every other call does too) and resolves with the chosen backend's name. */
  ready(): Promise<string>;
}

// Keys of this adapter's own bookkeeping; hidden from `keys()` and refused as user keys.
const internalPrefix = '\u0000rxsync:fallback:';
const probeKey = `${internalPrefix}probe`;
const generationKey = `${internalPrefix}generation`;

/**
 * Uses the first backend that works and falls over to the next when a write fails (storage full,
 * private mode, a write that hangs past `timeout`), so the app keeps working and loses nothing:
 *
 * - At start each backend is probed in order (write, read back, remove a probe key); the first
 *   that passes is used. A later backend that holds data from a previous fallback wins over an
 *   earlier one (each switch stamps a generation number in the backend switched to), so a reload
 *   never reads the stale data left behind in the backend that failed.
 * - When a write fails, the next backend is tried: first every key of the failing backend is
 *   copied across, best effort (keys it can no longer read are reported in the event's `copy`,
 *   not guessed), then the failed write is applied to the new backend. Only when it succeeds
 *   there does the write resolve; reads go to the new backend from then on.
 * - If every remaining backend fails, the write rejects (`E_STORAGE_UNAVAILABLE`, with each error)
 *   and the current backend stays in use. Reads are not retried elsewhere: their errors reject.
 *
 * `batch` has the guarantee of the backend in use; after a failover the whole batch is applied again.
 * A memory backend at the end of the chain keeps the app running, but only for the session.
 *
 * @example
 * ```ts
 * const storage = fallbackStorage([localforageStorage({ name: 'app' }), memoryStorage()], {
 *   onFallback: (from, to, error) => console.warn(`storage: ${from} failed (${error.code}), now using ${to}`),
 * });
 * ```
 */
export function fallbackStorage(backends: readonly Storage[], options: FallbackStorageOptions = {}): FallbackStorage {
  checkOptions('fallbackStorage', options, fallbackStorageOptionSpec);
  if (backends.length === 0) throw new RxSyncError('E_OPTION_INVALID', 'fallbackStorage: give at least one backend');
  const timeout = options.timeout ?? 5000;
  const events = new Subject<StorageFallbackEvent>();
  const order = createOperationOrder();
  let index = -1;
  // Stamped into the backend a write falls over to: above every generation seen, so it wins next start.
  let nextGeneration = 1;
  let starting: Promise<string> | undefined;

  const timed = <T>(backend: Storage, operation: string, call: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new RxSyncError('E_STORAGE_TIMEOUT', `storage (${backend.name}): ${operation} took longer than ${timeout} ms`, {
            details: { backend: backend.name, operation, timeout },
          }),
        );
      }, timeout);
      // A synchronous throw from a backend becomes a rejection like any other failure.
      Promise.resolve()
        .then(call)
        .then(resolve, (err: unknown) => reject(backendError(backend.name, operation, err)))
        .finally(() => clearTimeout(timer));
    });

  const report = (event: StorageFallbackEvent): void => {
    options.onFallback?.(event.from, event.to, event.error, event);
    events.next(event);
  };

  const probe = async (backend: Storage): Promise<number> => {
    const token = Math.random();
    await timed(backend, 'probe write', () => backend.set(probeKey, token));
    const read = await timed(backend, 'probe read', () => backend.get(probeKey));
    if (read !== token) throw new RxSyncError('E_STORAGE_UNAVAILABLE', `storage (${backend.name}): probe read back a different value`);
    await timed(backend, 'probe remove', () => backend.remove(probeKey));
    return readGeneration(backend);
  };

  const readGeneration = async (backend: Storage): Promise<number> => {
    const stored = await timed(backend, 'read generation', () => backend.get(generationKey));
    return typeof stored === 'number' && Number.isSafeInteger(stored) ? stored : 0;
  };

  const start = async (): Promise<string> => {
    const failures: Array<{ backend: Storage; error: RxSyncError }> = [];
    let chosen = -1;
    let generation = 0;
    for (let i = 0; i < backends.length && chosen < 0; i++) {
      const backend = backends[i]!;
      try {
        generation = await probe(backend);
        chosen = i;
      } catch (err) {
        failures.push({ backend, error: backendError(backend.name, 'probe', err) });
      }
    }
    if (chosen < 0) throw allFailed('no backend passed the start-up probe', failures);
    // A later backend with a higher generation holds newer data from an earlier fallback.
    let highest = generation;
    for (let i = chosen + 1; i < backends.length; i++) {
      const later = backends[i]!;
      const laterGeneration = await readGeneration(later).catch(() => 0);
      if (
        laterGeneration > generation &&
        (await probe(later).then(
          () => true,
          () => false,
        ))
      ) {
        chosen = i;
        generation = laterGeneration;
      }
      highest = Math.max(highest, laterGeneration);
    }
    index = chosen;
    nextGeneration = highest + 1;
    const to = backends[chosen]!.name;
    for (const { backend, error } of failures) report({ from: backend.name, to, error, phase: 'probe' });
    return to;
  };

  const ready = (): Promise<string> => {
    // A failed start is tried again by the next call: the backends may have recovered.
    starting ??= start().catch((err: unknown) => {
      starting = undefined;
      throw err;
    });
    return starting;
  };

  /** Copies every user key of `from` into `to`, and drops keys `to` has but `from` has not. */
  const copyAcross = async (from: Storage, to: Storage): Promise<{ copied: number; error?: RxSyncError }> => {
    const writes: StorageWrite[] = [];
    let error: RxSyncError | undefined;
    try {
      const keys = (await timed(from, 'keys', () => from.keys())).filter((key) => !key.startsWith(internalPrefix));
      const present = new Set(keys);
      for (const key of keys) {
        try {
          const value = await timed(from, 'get', () => from.get(key));
          if (value !== undefined) writes.push({ type: 'set', key, value });
        } catch (err) {
          error ??= backendError(from.name, 'copy', err, key);
          if (isRxSyncError(err, 'E_STORAGE_TIMEOUT')) break; // a hung backend: stop asking it
        }
      }
      for (const key of await timed(to, 'keys', () => to.keys())) {
        if (!present.has(key) && !key.startsWith(internalPrefix)) writes.push({ type: 'remove', key });
      }
    } catch (err) {
      error ??= backendError(from.name, 'copy', err);
    }
    if (writes.length > 0) await timed(to, 'copy', () => to.batch(writes));
    const copied = writes.filter((w) => w.type === 'set').length;
    return error === undefined ? { copied } : { copied, error };
  };

  /** Runs `apply` on the current backend; on failure moves down the chain, copying, then applying it there. */
  const write = (operation: string, apply: (backend: Storage) => Promise<void>): Promise<void> =>
    order.write(async () => {
      await ready();
      const current = backends[index]!;
      let firstError: RxSyncError;
      try {
        return await timed(current, operation, () => apply(current));
      } catch (err) {
        firstError = err as RxSyncError;
        // The value itself is bad: every backend would refuse it.
        if (isRxSyncError(err, 'E_STORAGE_INVALID')) throw err;
      }
      const failures = [{ backend: current, error: firstError }];
      for (let next = index + 1; next < backends.length; next++) {
        const candidate = backends[next]!;
        try {
          const copy = await copyAcross(current, candidate);
          await timed(candidate, operation, () => apply(candidate));
          // Stamped only once the write is there: a candidate that failed never outranks the backend kept.
          await timed(candidate, 'stamp generation', () => candidate.set(generationKey, nextGeneration));
          index = next;
          nextGeneration += 1;
          report({ from: current.name, to: candidate.name, error: firstError, phase: 'write', copy });
          return;
        } catch (err) {
          failures.push({ backend: candidate, error: backendError(candidate.name, operation, err) });
        }
      }
      throw allFailed(`${operation} failed on every backend`, failures);
    });

  const checkUserKey = (key: string): void => {
    assertStorageKey(key);
    if (key.startsWith(internalPrefix))
      throw new RxSyncError('E_STORAGE_INVALID', 'fallbackStorage: this key prefix is reserved', { details: { key } });
  };

  const read = <T>(operation: string, call: (backend: Storage) => Promise<T>): Promise<T> =>
    order.read(async () => {
      await ready();
      const backend = backends[index]!;
      return timed(backend, operation, () => call(backend));
    });

  return {
    get name() {
      return index < 0 ? 'fallback' : `fallback:${backends[index]!.name}`;
    },
    get current() {
      return index < 0 ? undefined : backends[index]!.name;
    },
    fallback$: events.asObservable(),
    ready,
    get<T = unknown>(key: string): Promise<T | undefined> {
      return read('get', (backend) => backend.get<T>(key));
    },
    async set(key, value) {
      checkUserKey(key);
      return write('set', (backend) => backend.set(key, value));
    },
    async remove(key) {
      checkUserKey(key);
      return write('remove', (backend) => backend.remove(key));
    },
    async keys(prefix = '') {
      const keys = await read('keys', (backend) => backend.keys(prefix));
      return keys.filter((key) => !key.startsWith(internalPrefix));
    },
    async batch(writes) {
      writes.forEach((w) => checkUserKey(w.key));
      return write('batch', (backend) => backend.batch(writes));
    },
  };
}

function allFailed(what: string, failures: ReadonlyArray<{ backend: Storage; error: RxSyncError }>): RxSyncError {
  const summary = failures.map(({ backend, error }) => `${backend.name}: ${error.code} ${error.message}`).join('; ');
  return new RxSyncError('E_STORAGE_UNAVAILABLE', `fallbackStorage: ${what} (${summary})`, {
    cause: failures[failures.length - 1]?.error,
    details: { errors: failures.map(({ backend, error }) => ({ backend: backend.name, code: error.code, message: error.message })) },
  });
}
