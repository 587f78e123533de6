import type { InflightRegistry } from '../../operators/dedupe.js';
import { QueryEntry } from './queryEntry.js';
import { matchesKeyPrefix, type HashedKey } from './queryKey.js';

/** The entries of a client, by key hash. */
export class QueryCache {
  private readonly entries = new Map<string, QueryEntry<unknown>>();
  /** Runs in flight, shared by every `dedupe` of this cache. */
  readonly registry: InflightRegistry = new Map();

  constructor(private readonly now: () => number) {}

  /** The entry for `key`, created when missing. */
  build<T>(key: HashedKey): QueryEntry<T> {
    let entry = this.entries.get(key.hash);
    if (entry === undefined) {
      entry = new QueryEntry<unknown>(key, {
        now: this.now,
        registry: this.registry,
        onGarbage: (garbage) => this.remove(garbage),
      });
      this.entries.set(key.hash, entry);
    }
    return entry as QueryEntry<T>;
  }

  /** The entry for `key` if the cache holds one. */
  get<T>(key: HashedKey): QueryEntry<T> | undefined {
    return this.entries.get(key.hash) as QueryEntry<T> | undefined;
  }

  /** Every entry whose key starts with `prefix`. */
  findAll(prefix: HashedKey): QueryEntry<unknown>[] {
    const found: QueryEntry<unknown>[] = [];
    for (const entry of this.entries.values()) if (matchesKeyPrefix(entry.key, prefix)) found.push(entry);
    return found;
  }

  /** Every entry. */
  all(): IterableIterator<QueryEntry<unknown>> {
    return this.entries.values();
  }

  /** Drops an entry and its timers. */
  remove(entry: QueryEntry<unknown>): void {
    if (this.entries.get(entry.key.hash) === entry) this.entries.delete(entry.key.hash);
    entry.dispose();
  }

  /** Drops everything (e.g. on sign-out). */
  clear(): void {
    for (const entry of this.entries.values()) entry.dispose();
    this.entries.clear();
  }
}
