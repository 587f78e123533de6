import { Subject, filter, merge, map, skip, type Observable, type Subscription } from 'rxjs';
import type { InflightRegistry } from '../../operators/dedupe.js';
import type { EnvironmentFlag } from '../environment/flag.js';
import { QueryEntry, type EntryEnvironment } from './queryEntry.js';
import type { EntryState } from './entryState.js';
import { GcQueue } from './gcQueue.js';
import { KeyIndex } from './keyIndex.js';
import { matchesKeyPrefix, queryKeyHash, type HashedKey, type QueryKey } from './queryKey.js';

/** An entry left the cache: collected after its gc time, or every entry by `clear()`. */
export type CacheRemoval = { readonly reason: 'gc'; readonly entry: QueryEntry<unknown> } | { readonly reason: 'clear' };

/**
 * Something that happened to a cache entry, fetched or live alike: it was `added`, its state was
 * `updated` (data, status, fetching) or `invalidated`, or it was `removed` (gc or `clear()`).
 */
export interface CacheEvent {
  readonly type: 'added' | 'updated' | 'invalidated' | 'removed';
  readonly key: QueryKey;
  /** The entry's state after the event. */
  readonly state: EntryState<unknown>;
}

/** The entries of a client, by key hash. */
export class QueryCache {
  private readonly entries = new Map<string, QueryEntry<unknown>>();
  /**
   * Primitive-only keys, found without hashing (the common `getData(['todos', id])`). Filled on
   * a key's first read by array, so entries only written (`setData`, `hydrate`) cost no slot here.
   */
  private readonly index = new KeyIndex<QueryEntry<unknown>>();
  /** Runs in flight, shared by every `dedupe` of this cache. */
  readonly registry: InflightRegistry = new Map();
  /**
   * Applied to every fetched result before it is cached: the client sets it to re-apply
   * optimistic updates whose mutations the server has not confirmed yet, so a refetch never
   * makes a queued write disappear from the screen.
   */
  rebase: ((key: HashedKey, data: unknown) => unknown) | undefined;
  /** The confirmed data under a key's outstanding optimistic changes, if it has any (set with `rebase`). */
  confirmed: ((key: HashedKey) => unknown) | undefined;
  private activeEntries = 0;
  private readonly changes = new Subject<void>();

  private readonly removals = new Subject<CacheRemoval>();
  private readonly events = new Subject<CacheEvent>();
  /** Entries another owner writes (a live document): `setData` refuses them, naming the owner. */
  private readonly owners = new Map<string, string>();

  /** Every entry's changes, as {@link CacheEvent}s (nothing is built while nobody listens). */
  get events$(): Observable<CacheEvent> {
    return this.events.asObservable();
  }

  private emit(type: CacheEvent['type'], entry: QueryEntry<unknown>): void {
    if (this.events.observed) this.events.next({ type, key: entry.key.key, state: entry.current });
  }

  /** Marks `key`'s entry as written by `owner` only (until the returned function is called). */
  own(key: HashedKey, owner: string): () => void {
    this.owners.set(key.hash, owner);
    return () => {
      if (this.owners.get(key.hash) === owner) this.owners.delete(key.hash);
    };
  }

  /** Who alone writes `key`'s entry, if anyone does. */
  ownerOf(key: HashedKey): string | undefined {
    return this.owners.get(key.hash);
  }

  /** Fires after any entry changed or left the cache (persistence listens here). */
  get changes$(): Observable<void> {
    return this.changes;
  }

  /**
   * Why entries leave: garbage collection (the entry, just before it goes) or `clear()`.
   * Persistence keeps gc'd entries saved and forgets cleared ones.
   */
  get removed$(): Observable<CacheRemoval> {
    return this.removals;
  }
  private environmentSub: Subscription | undefined;

  constructor(
    /** The clock entries are stamped with. */
    readonly now: () => number,
    private readonly online: EnvironmentFlag,
    private readonly focus: EnvironmentFlag,
    /** How long an entry written without an observer (`setData`, `hydrate`) stays unobserved before gc. */
    readonly gcTime: number = 5 * 60 * 1000,
  ) {
    this.entryEnvironment = {
      now,
      registry: this.registry,
      scheduleGc: (entry, delay, from) => this.gcQueue.schedule(entry, delay, from),
      cancelGc: (entry) => this.gcQueue.cancel(entry),
      onActiveChange: (delta) => this.onActiveChange(delta),
      onChange: (entry, action) => {
        if (this.changes.observed) this.changes.next(); // a hydrate writes a thousand entries: no work while nobody listens
        this.emit(action.type === 'invalidate' ? 'invalidated' : 'updated', entry);
      },
      rebase: (entryKey, data) => (this.rebase === undefined ? data : this.rebase(entryKey, data)),
    };
  }

  /** What every entry of this cache shares (one object, so entries carry no closures). */
  private readonly entryEnvironment: EntryEnvironment;
  /** Unobserved entries waiting for their gc time, under one timer. */
  private readonly gcQueue = new GcQueue<QueryEntry<unknown>>((entry) => {
    // Still unobserved and idle: it goes (a fetch running at its deadline keeps it, as before).
    if (!entry.collectable || this.entries.get(entry.key.hash) !== entry) return;
    this.removals.next({ reason: 'gc', entry });
    this.remove(entry);
  });

  /**
   * One listener per cache for the network and focus (not one per subscriber), attached while
   * any entry is observed: it tells the observed entries, which decide whether to refetch.
   */
  private onActiveChange(delta: 1 | -1): void {
    this.activeEntries += delta;
    if (this.activeEntries > 0 && this.environmentSub === undefined) {
      const back = (flag: EnvironmentFlag, event: 'online' | 'focus') =>
        flag.value$.pipe(
          skip(1),
          filter(Boolean),
          map(() => event),
        );
      this.environmentSub = merge(back(this.online, 'online'), back(this.focus, 'focus')).subscribe((event) => {
        for (const entry of [...this.entries.values()]) if (entry.observerCount > 0) entry.onEnvironment(event);
      });
    } else if (this.activeEntries === 0 && this.environmentSub !== undefined) {
      this.environmentSub.unsubscribe();
      this.environmentSub = undefined;
    }
  }

  /** The entry for `key`, created when missing. */
  build<T>(key: HashedKey): QueryEntry<T> {
    let entry = this.entries.get(key.hash);
    if (entry === undefined) {
      entry = new QueryEntry<unknown>(key, this.entryEnvironment);
      this.entries.set(key.hash, entry);
      this.emit('added', entry);
    }
    return entry as QueryEntry<T>;
  }

  /** The entry for a key (or key hash) if the cache holds one. */
  get<T>(key: HashedKey | string): QueryEntry<T> | undefined {
    return this.entries.get(typeof key === 'string' ? key : key.hash) as QueryEntry<T> | undefined;
  }

  /** The entry for a key given as an array: by index when it is made of primitives, else by hash. */
  find<T>(key: QueryKey): QueryEntry<T> | undefined {
    if (!Array.isArray(key)) return this.get<T>(queryKeyHash(key)); // throws the usual error
    const indexed = this.index.get(key) as QueryEntry<T> | undefined;
    if (indexed !== undefined) return indexed;
    const entry = this.get<T>(queryKeyHash(key)); // a miss is hashed too: that validates the key
    if (entry !== undefined) this.index.set(key, entry as QueryEntry<unknown>);
    return entry;
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
    if (this.entries.get(entry.key.hash) === entry) {
      this.entries.delete(entry.key.hash);
      if (this.index.get(entry.key.key) === entry) this.index.delete(entry.key.key);
      this.emit('removed', entry);
    }
    entry.dispose();
    this.changes.next();
  }

  /** Drops everything (e.g. on sign-out). */
  clear(): void {
    this.gcQueue.clear();
    for (const entry of this.entries.values()) {
      entry.dispose();
      this.emit('removed', entry);
    }
    this.entries.clear();
    this.index.clear();
    this.removals.next({ reason: 'clear' });
    this.changes.next();
  }
}
