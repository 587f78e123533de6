import { auditTime, type Subscription } from 'rxjs';
import { RxSyncError } from '../errors.js';
import { isCodecRejection } from '../codec/codecErrors.js';
import type { Storage } from '../storage/storage.js';
import type { QueryClient } from './client.js';
import { dehydrateEntry, type DehydratedQuery } from './dehydrate.js';
import { checkOptions } from '../options/checkOptions.js';
import { persistCacheOptionSpec } from '../options/specs.js';

/** Options of {@link persistCache}. */
export interface PersistCacheOptions {
  /** Storage key. Default `rxsync:cache`. */
  key?: string;
  /** Change it (e.g. to the app version) to discard every stored cache. Default `''`. */
  buster?: string;
  /** Stored caches older than this (ms) are discarded. Default 24 hours. */
  maxAge?: number;
  /** At most one write per this many ms; changes in between are batched. Default 1000. */
  throttle?: number;
  /** The shape version of what is stored. Default 1. */
  version?: number;
  /** Upgrades a snapshot stored with an older `version`; without it, older snapshots are discarded. */
  migrate?: (snapshot: unknown, fromVersion: number) => unknown;
  /**
   * Told about discarded or unreadable snapshots and failed writes (never thrown). A snapshot that
   * does not decrypt (`encryptedStorage` with a wrong key: `E_DECRYPT` / `E_KEY_UNKNOWN`) is kept,
   * and that session saves nothing.
   */
  onError?: (error: RxSyncError) => void;
}

/**
 * A running persistence. Entries the cache garbage-collects stay saved until `maxAge` (counted
 * from when their data arrived), so a short session that never looks at a query does not erase
 * it from storage; `client.clear()` does.
 */
export interface PersistedCache {
  /** Resolves once the stored cache was restored (or found missing, stale or unreadable). */
  readonly restored: Promise<void>;
  /** Writes now, without waiting for the throttle. Rejects when the saved cache could not be decrypted (it is kept). */
  flush(): Promise<void>;
  /** Stops writing (what is stored stays). */
  stop(): void;
}

interface StoredCache {
  readonly buster: string;
  readonly version: number;
  readonly savedAt: number;
  readonly snapshot: unknown;
}

/**
 * Keeps a client's cache in storage: restores it on start (discarding it when the buster changed
 * or it is older than `maxAge`, migrating older versions), then writes a dehydrated snapshot on
 * change, at most once per `throttle` ms, as one storage write.
 *
 * @example
 * ```ts
 * const persisted = persistCache(client, localforageStorage({ name: 'app' }), { buster: APP_VERSION });
 * await persisted.restored; // cached data shows at once, even offline
 * ```
 */
export function persistCache(client: QueryClient, storage: Storage, options: PersistCacheOptions = {}): PersistedCache {
  checkOptions('persistCache', options, persistCacheOptionSpec);
  const key = options.key ?? 'rxsync:cache';
  const buster = options.buster ?? '';
  const maxAge = options.maxAge ?? 24 * 60 * 60 * 1000;
  const version = options.version ?? 1;
  const report = (code: string, message: string, cause?: unknown): void =>
    options.onError?.(new RxSyncError(code, message, cause === undefined ? undefined : { cause }));
  let subscription: Subscription | undefined;
  let stopped = false;
  // Set when the saved cache exists but this session's key cannot read it: it is never written over.
  let keptUnread: RxSyncError | undefined;

  // Entries gc'd from memory stay saved until maxAge (as TanStack's persister does): gc is memory
  // housekeeping, not a deletion the user asked for. `clear()` is one, and forgets them.
  const kept = new Map<string, DehydratedQuery>();
  const removals = client.cache.removed$.subscribe((removal) => {
    if (removal.reason === 'clear') return kept.clear();
    const query = dehydrateEntry(removal.entry);
    if (query !== undefined) kept.set(removal.entry.key.hash, query);
  });

  const write = async (): Promise<void> => {
    const now = client.now();
    const queries: DehydratedQuery[] = [];
    for (const entry of client.cache.all()) {
      const query = dehydrateEntry(entry);
      if (query === undefined) continue;
      queries.push(query);
      kept.delete(entry.key.hash); // back in memory: that copy is the one to save
    }
    for (const [hash, query] of kept) {
      if (now - query.updatedAt > maxAge) kept.delete(hash);
      else queries.push(query);
    }
    const stored: StoredCache = { buster, version, savedAt: now, snapshot: { version: 1, queries } };
    try {
      await storage.set(key, stored);
    } catch (err) {
      report('E_STORAGE_WRITE', `The cache could not be saved to ${storage.name}: ${(err as Error).message}`, err);
    }
  };

  const restored = (async () => {
    let stored: unknown;
    try {
      stored = await storage.get(key);
    } catch (err) {
      if (isCodecRejection(err) && (err.code === 'E_DECRYPT' || err.code === 'E_KEY_UNKNOWN')) {
        // Intact bytes under another key: overwriting them would turn a wrong key into lost data.
        keptUnread = new RxSyncError(
          err.code,
          `The saved cache in ${storage.name} could not be decrypted (wrong or unknown key); it is kept as it is and this session does not save over it`,
          { cause: err },
        );
        options.onError?.(keptUnread);
      } else {
        report('E_STORAGE_READ', `The saved cache could not be read from ${storage.name}`, err);
      }
    }
    if (stored !== undefined) {
      const problem = checkStored(stored, buster, version, maxAge, client.now(), options.migrate !== undefined);
      if (problem !== undefined) {
        report('E_CACHE_DISCARDED', `Saved cache discarded: ${problem}`);
        await storage.remove(key).catch(() => undefined);
      } else {
        const { snapshot, version: from } = stored as StoredCache;
        try {
          client.hydrate(from === version ? snapshot : options.migrate!(snapshot, from));
        } catch (err) {
          report('E_CACHE_DISCARDED', `Saved cache discarded: ${(err as Error).message}`, err);
          await storage.remove(key).catch(() => undefined);
        }
      }
    }
    if (!stopped && keptUnread === undefined) {
      // Listen only after restoring, so an empty cache never overwrites the saved one.
      subscription = client.cache.changes$.pipe(auditTime(options.throttle ?? 1000)).subscribe(() => void write());
    }
  })();

  return {
    restored,
    async flush() {
      await restored;
      if (keptUnread !== undefined) throw keptUnread;
      await write();
    },
    stop() {
      stopped = true;
      subscription?.unsubscribe();
      removals.unsubscribe();
    },
  };
}

function checkStored(
  stored: unknown,
  buster: string,
  version: number,
  maxAge: number,
  now: number,
  canMigrate: boolean,
): string | undefined {
  if (typeof stored !== 'object' || stored === null) return 'not an object';
  const s = stored as Partial<StoredCache>;
  if (typeof s.buster !== 'string' || typeof s.version !== 'number' || typeof s.savedAt !== 'number')
    return 'missing buster, version or savedAt';
  if (s.buster !== buster) return `buster changed ("${s.buster}" → "${buster}")`;
  if (now - s.savedAt > maxAge) return `older than maxAge (${Math.round((now - s.savedAt) / 1000)} s)`;
  if (s.version > version) return `saved by a newer version (${s.version} > ${version})`;
  if (s.version < version && !canMigrate) return `version ${s.version} and no migrate function for ${version}`;
  return undefined;
}
