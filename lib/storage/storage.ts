/** One write of a {@link Storage.batch}. */
export type StorageWrite =
  { readonly type: 'set'; readonly key: string; readonly value: unknown } | { readonly type: 'remove'; readonly key: string };

/**
 * Where rxsync keeps what must survive a reload: the outbox, the persisted cache. Values are
 * JSON-compatible. Every method is async; a write resolves only once the data is durable as far
 * as the backend can tell (IndexedDB transaction complete, file fsynced).
 */
export interface Storage {
  /** A short name for reports (`'indexeddb'`, `'memory'`, `'file'`, …). */
  readonly name: string;
  /**
   * Identifies the data behind this storage (a database, a folder) when other storage objects,
   * in other tabs or processes, can open the same data. Outboxes on storages with one id
   * coordinate (one of them replays); without an id only outboxes on this very object do.
   */
  readonly id?: string;
  /**
   * True when other processes may open the same data with no lock service shared with them
   * (`fileStorage`): coordination then keeps a lease record in the storage itself.
   */
  readonly shared?: boolean;
  /** The value under `key`, or `undefined`. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Stores `value` under `key`. */
  set(key: string, value: unknown): Promise<void>;
  /** Removes `key` (no error when absent). */
  remove(key: string): Promise<void>;
  /** Every key, optionally only those starting with `prefix`. */
  keys(prefix?: string): Promise<string[]>;
  /** Several writes in one go: one transaction where the backend has them. */
  batch(writes: readonly StorageWrite[]): Promise<void>;
}
