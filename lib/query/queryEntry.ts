import { Subject, defer, tap, finalize, type Observable } from 'rxjs';
import { dedupe, type InflightRegistry } from '../../operators/dedupe.js';
import { Cell, type ValueStream } from '../signals/cell.js';
import { initialEntryState, reduceEntry, type EntryAction, type EntryState } from './entryState.js';
import type { GcSlot } from './gcQueue.js';
import type { HashedKey } from './queryKey.js';

/** What an active observer asks of its entry. */
export interface EntryObserverOptions {
  /** Its data is fresh for this many ms. */
  readonly staleTime: number;
  /** Refetch when the network comes back: if stale, always, or never. */
  readonly refetchOnReconnect: boolean | 'always';
  /** Refetch when the page regains focus: if stale, always, or never. */
  readonly refetchOnFocus: boolean | 'always';
  /** Refetch every this many ms while observed, `0` or `false` for never (the smallest of all observers wins). */
  readonly refetchInterval: number | false;
  /** How long the entry outlives its last observer (the largest of all observers wins). */
  readonly gcTime: number;
  /** How many subscribers this observer stands for (a stream shared by several); default 1. */
  readonly subscribers?: number;
}

/**
 * What an entry asks of its observers' runs: `join` a refetch (start one, or join the one in
 * flight), `restart` (the run in flight was superseded: leave it, start or join a new one), or
 * `leave` (it was cancelled: leave it, start none).
 */
export type RefetchRequest = 'join' | 'restart' | 'leave';

/**
 * What the entries of one cache share: the clock, the in-flight registry and the cache's hooks.
 * One object per cache, not per entry, so an entry costs no closures of its own.
 */
export interface EntryEnvironment {
  readonly now: () => number;
  readonly registry: InflightRegistry;
  /**
   * Plans the entry's collection in `delay` ms from `now` (default: the clock now), under one
   * timer per cache (see `gcQueue.ts`).
   */
  readonly scheduleGc: (entry: QueryEntry<unknown>, delay: number, now?: number) => void;
  /** Cancels the entry's planned collection. */
  readonly cancelGc: (entry: QueryEntry<unknown>) => void;
  /** Told after every state change (for persistence and cache events), with the action that made it. */
  readonly onChange: (entry: QueryEntry<unknown>, action: EntryAction<unknown>) => void;
  /** Lays changes not yet confirmed by the server (pending optimistic updates) over fetched data. */
  readonly rebase: (key: HashedKey, data: unknown) => unknown;
  /** Told when the entry gains its first (+1) or loses its last (-1) observer. */
  readonly onActiveChange: (delta: 1 | -1) => void;
}

/**
 * One key's place in the cache: its state (a signal), its observers, and its in-flight run.
 * All changes go through {@link QueryEntry.dispatch}, so observers are told once per change.
 *
 * Most entries are written and read but never watched (`setData`, `hydrate`, `getData`), so what
 * only watchers need — the signal, the observer set, the refetch subject — is made on first use.
 */
export class QueryEntry<T> implements GcSlot {
  /** @internal Its collection deadline, kept by the cache's `GcQueue`. */
  gcAt: number | null | undefined = undefined;
  private value: EntryState<T> = initialEntryState<T>();
  private stateSignal: Cell<EntryState<T>> | undefined;
  private observers: Set<EntryObserverOptions> | undefined;
  private refetchRequests: Subject<RefetchRequest> | undefined;
  /** The run whose results land in the state (a token per run); a superseded run's are dropped. */
  private activeRun: object | undefined;
  private intervalTimer: ReturnType<typeof setInterval> | undefined;
  /** The refetch interval now planned (`undefined` or `false`: none); unset until an observer plans one. */
  private intervalMs: number | false | undefined;
  private gcTime = 0;

  constructor(
    readonly key: HashedKey,
    private readonly env: EntryEnvironment,
  ) {
    // A key's hash is built by concatenation, and V8 keeps such text as a tree of its pieces
    // (~60 B more per key) until something reads a character of it: this entry keeps the hash
    // (the cache's Map key) for its whole life, so it is flattened now, once.
    key.hash.charCodeAt(0);
  }

  /** The state now, without making the signal (the hot path of reads). */
  get current(): EntryState<T> {
    return this.value;
  }

  /** The entry's state as a signal: current value on subscribe, then each change. */
  get state(): ValueStream<EntryState<T>> {
    return (this.stateSignal ??= new Cell<EntryState<T>>(this.value));
  }

  /** @internal Calls `listener` with the state now and on each change (no Subscriber layer). */
  listen(listener: (state: EntryState<T>) => void): () => void {
    return (this.state as Cell<EntryState<T>>).listen(listener);
  }

  /** What observers are asked to do with their run: see {@link RefetchRequest}. */
  get refetchRequested$(): Observable<RefetchRequest> {
    return (this.refetchRequests ??= new Subject<RefetchRequest>());
  }

  /** Number of active observers: each subscriber of a shared stream (see `sharedQuery.ts`) counts. */
  get observerCount(): number {
    if (this.observers === undefined) return 0;
    let count = 0;
    for (const o of this.observers) count += Math.max(1, o.subscribers ?? 1);
    return count;
  }

  /** Applies an action through the reducer; unchanged state notifies nobody. */
  dispatch(action: EntryAction<T>): void {
    const previous = this.value;
    const next = reduceEntry(previous, action);
    if (next === previous) return;
    this.value = next;
    this.stateSignal?.set(next);
    this.env.onChange(this as QueryEntry<unknown>, action as EntryAction<unknown>);
  }

  /** Whether data older than `staleTime` ms (or invalidated, or missing) should be refetched. */
  isStale(staleTime: number): boolean {
    const state = this.value;
    if (state.data === undefined || state.isInvalidated) return true;
    if (staleTime === Infinity) return false; // no clock read on the hot path
    return this.env.now() - state.updatedAt >= staleTime;
  }

  /**
   * The shared run of `source` for this key: subscribing starts it (or joins the one in flight),
   * its values and errors land in the state, and the last unsubscribe cancels it.
   */
  run(source: Observable<T>, meta?: string): Observable<T> {
    return defer(() => {
      let settled = false;
      const token = {};
      this.activeRun = token;
      this.dispatch({ type: 'fetch', meta });
      return source.pipe(
        tap({
          next: (data) => {
            if (this.activeRun === token)
              this.dispatch({ type: 'success', data: this.env.rebase(this.key, data) as T, at: this.env.now() });
          },
          error: (error: unknown) => {
            settled = true;
            if (this.activeRun === token) this.dispatch({ type: 'error', error });
          },
          complete: () => {
            settled = true;
            if (this.activeRun === token) this.dispatch({ type: 'idle' });
          },
        }),
        finalize(() => {
          if (this.activeRun !== token) return;
          this.activeRun = undefined;
          if (!settled) this.dispatch({ type: 'idle' });
        }),
      );
    }).pipe(dedupe<T>(this.key.hash, this.env.registry));
  }

  /**
   * Asks the observers to refetch now. With `restart`, a run in flight is superseded first (its
   * request aborted once nobody else waits on it, its result dropped): what it brings may predate
   * the reason for this refetch (an invalidation after a write), as TanStack's `cancelRefetch`.
   */
  requestRefetch(restart = false): void {
    const superseded = restart && this.supersede();
    this.refetchRequests?.next(superseded ? 'restart' : 'join');
    if (superseded && this.activeRun === undefined) this.dispatch({ type: 'idle' }); // nobody started another
  }

  /**
   * Cancels the run in flight, if any: its result will not land, new joiners start a new run, and
   * the state says idle. Returns whether there was one. Used when what it fetches is known to be
   * ambiguous (a write to this key is about to be sent).
   */
  cancelRun(): boolean {
    if (!this.supersede()) return false;
    this.refetchRequests?.next('leave'); // observers leave the old run (aborting it)
    if (this.activeRun === undefined) this.dispatch({ type: 'idle' });
    return true;
  }

  private supersede(): boolean {
    if (this.activeRun === undefined) return false;
    this.activeRun = undefined;
    this.env.registry.delete(this.key.hash); // joiners from now on start a new run
    return true;
  }

  /**
   * The network came back or the page regained focus: refetch (once, shared) if any observer
   * asks for it — always, or when the data is stale by that observer's stale time.
   */
  onEnvironment(event: 'online' | 'focus'): void {
    for (const o of this.observers ?? []) {
      const wanted = event === 'online' ? o.refetchOnReconnect : o.refetchOnFocus;
      if (wanted === 'always' || (wanted && this.isStale(o.staleTime))) {
        this.requestRefetch();
        return;
      }
    }
  }

  /** Registers an observer: cancels pending gc and re-plans the refetch interval. */
  addObserver(options: EntryObserverOptions): () => void {
    const observers = (this.observers ??= new Set());
    if (observers.size === 0) this.env.onActiveChange(1);
    observers.add(options);
    this.gcTime = Math.max(this.gcTime, options.gcTime);
    this.env.cancelGc(this as QueryEntry<unknown>);
    this.planInterval();
    return () => {
      if (!observers.delete(options)) return;
      this.planInterval();
      if (observers.size === 0) {
        this.env.onActiveChange(-1);
        this.scheduleGc();
      }
    };
  }

  /**
   * Plans garbage collection after the gc time (used also after a prefetch nobody observes).
   * `now` (ms since epoch) lets a caller planning many entries at once read the clock once.
   */
  scheduleGc(gcTime: number = this.gcTime, now?: number): void {
    this.gcTime = Math.max(this.gcTime, gcTime);
    if (this.observerCount > 0 || !Number.isFinite(this.gcTime)) return;
    this.env.scheduleGc(this as QueryEntry<unknown>, this.gcTime, now);
  }

  /** @internal Its gc time ran out: whether nobody observes it and nothing is fetching, so it can go. */
  get collectable(): boolean {
    return this.observerCount === 0 && this.value.fetchStatus === 'idle';
  }

  /** Stops timers; called when the entry leaves the cache. */
  dispose(): void {
    this.env.cancelGc(this as QueryEntry<unknown>);
    if (this.intervalTimer !== undefined) clearInterval(this.intervalTimer);
    this.refetchRequests?.complete();
  }

  private planInterval(): void {
    let next: number | false = false;
    for (const o of this.observers ?? []) {
      // 0 means off, as in TanStack Query (not a back-to-back poll).
      if (o.refetchInterval !== false && o.refetchInterval > 0 && (next === false || o.refetchInterval < next)) next = o.refetchInterval;
    }
    if (next === (this.intervalMs ?? false)) return;
    if (this.intervalTimer !== undefined) clearInterval(this.intervalTimer);
    this.intervalTimer = undefined;
    this.intervalMs = next;
    if (next !== false) this.intervalTimer = unref(setInterval(() => this.requestRefetch(), next));
  }
}

/** Lets Node exit while only cache timers remain (no-op in browsers). */
function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
