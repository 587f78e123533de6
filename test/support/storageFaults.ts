// A Storage wrapper that injects the faults real browsers produce, for fallbackStorage tests.
import type { Storage } from '../../lib/storage/storage';

/**
 * - `quota`: writes fail with a `QuotaExceededError` DOMException (storage full, or Safari's
 *   private mode with its zero quota).
 * - `private`: every call fails with Firefox's private-mode `InvalidStateError`.
 * - `hang`: writes never settle (a stuck `setItem`).
 * - `hangReads`: reads never settle.
 */
export type StorageFault = 'quota' | 'private' | 'hang' | 'hangReads';

export interface FaultyStorage extends Storage {
  /** The fault now in force, or `undefined` for a healthy backend. */
  fault: StorageFault | undefined;
  /** Writes that reached the inner storage. */
  readonly writes: number;
}

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

export function faultyStorage(inner: Storage, name: string, fault?: StorageFault): FaultyStorage {
  let writes = 0;
  const storage: FaultyStorage = {
    name,
    fault,
    get writes() {
      return writes;
    },
    get: (key) => guard('read', () => inner.get(key)),
    keys: (prefix) => guard('read', () => inner.keys(prefix)),
    set: (key, value) => guard('write', () => inner.set(key, value)),
    remove: (key) => guard('write', () => inner.remove(key)),
    batch: (list) => guard('write', () => inner.batch(list)),
  };
  async function guard<T>(kind: 'read' | 'write', call: () => Promise<T>): Promise<T> {
    const now = storage.fault;
    if (now === 'private') {
      throw new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError');
    }
    if (kind === 'write' && now === 'quota') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    if (kind === 'write' && now === 'hang') return never<T>();
    if (kind === 'read' && now === 'hangReads') return never<T>();
    if (kind === 'write') writes++;
    return call();
  }
  return storage;
}
