import type { Observable, Subscriber, Subscription, TeardownLogic } from 'rxjs';
import { RxSyncError } from '../errors.js';
import type { CacheHost } from './cacheHost.js';
import type { EntryState } from './entryState.js';
import type { QueryEntry, RefetchRequest } from './queryEntry.js';
import type { QueryKey } from './queryKey.js';
import { toQueryState, type QueryState } from './queryState.js';

/**
 * What decides what a query subscriber sees and when its key is fetched. Subscribers of one key
 * whose configs are equal, field by field (functions by identity), share one {@link SharedQuery}.
 */
export interface SharedQueryConfig<T, S> {
  readonly staleTime: number;
  readonly gcTime: number;
  readonly enabled: boolean;
  readonly refetchOnReconnect: boolean | 'always';
  readonly refetchOnFocus: boolean | 'always';
  readonly refetchInterval: number | false;
  readonly select: ((data: T) => S) | undefined;
  readonly placeholder: S | (() => S | undefined) | undefined;
  readonly retry: unknown;
  readonly retryDelay: unknown;
  /** Where fetches come from: the source Observable for `cacheQuery`, the client for `client.query`. */
  readonly origin: unknown;
}

/** The options a shared stream is keyed by, with their defaults. */
interface StreamOptions<T, S> {
  staleTime?: number;
  gcTime?: number;
  enabled?: boolean;
  refetchOnReconnect?: boolean | 'always';
  refetchOnFocus?: boolean | 'always';
  refetchInterval?: number | false;
  select?: (data: T) => S;
  placeholder?: S | (() => S | undefined);
  retry?: unknown;
  retryDelay?: unknown;
}

/** @internal The config of `options` (defaults filled in), for fetches from `origin`. */
export function sharedQueryConfig<T, S>(options: StreamOptions<T, S>, origin: unknown): SharedQueryConfig<T, S> {
  return {
    staleTime: options.staleTime ?? 0,
    gcTime: options.gcTime ?? 5 * 60 * 1000,
    enabled: options.enabled ?? true,
    refetchOnReconnect: options.refetchOnReconnect ?? true,
    refetchOnFocus: options.refetchOnFocus ?? true,
    refetchInterval: options.refetchInterval ?? false,
    select: options.select,
    placeholder: options.placeholder,
    retry: options.retry,
    retryDelay: options.retryDelay,
    origin,
  };
}

const ignore = (): void => {};

/** The shared streams of each entry that has subscribers (entries without any have no slot). */
let streamsByEntry: WeakMap<QueryEntry<unknown>, SharedQuery<unknown, unknown>[]> | undefined;

/**
 * @internal Subscribes `subscriber` to `key`'s state as `config` shows it: it joins the stream of
 * the subscribers with an equal config, or starts one. `makeSource` is called once per stream, at
 * its first fetch; the stream fetches with it (through the entry's shared run).
 */
export function subscribeShared<T, S>(
  host: CacheHost,
  entry: QueryEntry<T>,
  key: QueryKey,
  config: SharedQueryConfig<T, S>,
  makeSource: () => Observable<T>,
  subscriber: Subscriber<QueryState<S>>,
): TeardownLogic {
  const streams = (streamsByEntry ??= new WeakMap()).get(entry as QueryEntry<unknown>);
  let stream = streams?.find((s) => sameConfig(s.config, config as SharedQueryConfig<unknown, unknown>)) as SharedQuery<T, S> | undefined;
  if (stream === undefined) {
    stream = new SharedQuery<T, S>(host, entry, key, config, makeSource);
    const shared = stream as unknown as SharedQuery<unknown, unknown>;
    if (streams === undefined) streamsByEntry.set(entry as QueryEntry<unknown>, [shared]);
    else streams.push(shared);
  }
  return stream.join(subscriber);
}

/** @internal How many shared streams `entry` has (0 once every subscriber left): for leak tests. */
export function sharedStreamCount(entry: QueryEntry<unknown>): number {
  return streamsByEntry?.get(entry)?.length ?? 0;
}

function sameConfig(a: SharedQueryConfig<unknown, unknown>, b: SharedQueryConfig<unknown, unknown>): boolean {
  return (
    a.origin === b.origin &&
    a.select === b.select &&
    a.staleTime === b.staleTime &&
    a.enabled === b.enabled &&
    a.gcTime === b.gcTime &&
    a.refetchOnReconnect === b.refetchOnReconnect &&
    a.refetchOnFocus === b.refetchOnFocus &&
    a.refetchInterval === b.refetchInterval &&
    Object.is(a.placeholder, b.placeholder) &&
    Object.is(a.retry, b.retry) &&
    Object.is(a.retryDelay, b.retryDelay)
  );
}

/**
 * The subscribers of one key with equal configs, as one observer of the entry: one registration,
 * one listener, one run, one stale timer, and one derived state (one `select`) per entry change,
 * delivered to each subscriber. So a thousand components calling `client.query` on one key cost
 * a thousand `next` calls per change, not a thousand pipelines.
 */
class SharedQuery<T, S> {
  private subscribers: Subscriber<QueryState<S>>[] = [];
  /** Delivery loops running: while one runs, the list is replaced instead of changed in place. */
  private delivering = 0;
  private run$: Observable<T> | undefined;
  private run: Subscription | undefined;
  private stopObserving: (() => void) | undefined;
  private stopListening: (() => void) | undefined;
  private refetches: Subscription | undefined;
  private staleTimer: ReturnType<typeof setTimeout> | undefined;
  private staleTimerFor = -1;
  private lastState: EntryState<T> | undefined;
  private lastStale = false;
  private lastResult: QueryState<S> | undefined;
  private readonly selectData: (data: T) => S;
  private readonly placeholder: (() => S | undefined) | undefined;
  /** With no time-based staleness, staleness follows the state alone: computed once per state. */
  private readonly timeless: boolean;

  constructor(
    private readonly host: CacheHost,
    private readonly entry: QueryEntry<T>,
    private readonly key: QueryKey,
    readonly config: SharedQueryConfig<T, S>,
    private readonly makeSource: () => Observable<T>,
  ) {
    this.selectData = deriveMemo(config.select);
    const placeholder = config.placeholder;
    this.placeholder =
      placeholder === undefined ? undefined : typeof placeholder === 'function' ? (placeholder as () => S | undefined) : () => placeholder;
    this.timeless = config.staleTime <= 0 || config.staleTime === Infinity;
  }

  join(subscriber: Subscriber<QueryState<S>>): TeardownLogic {
    const { entry, config } = this;
    if (this.stopObserving === undefined) {
      const subscribers = (): number => this.subscribers.length;
      // One registration for the whole stream; it counts as its subscribers (devtools show them).
      this.stopObserving = entry.addObserver({
        staleTime: config.staleTime,
        refetchOnReconnect: config.refetchOnReconnect,
        refetchOnFocus: config.refetchOnFocus,
        refetchInterval: config.refetchInterval,
        gcTime: config.gcTime,
        get subscribers() {
          return subscribers();
        },
      });
      // Start the fetch first, so the very first emission already says isFetching.
      this.fetchIfStale();
      this.add(subscriber);
      this.stopListening = entry.listen(this.emit);
      // Invalidation, refetch intervals, reconnect and focus all arrive here, decided per entry.
      this.refetches = entry.refetchRequested$.subscribe(this.fetchNow);
    } else {
      this.fetchIfStale(); // the others see its isFetching, as they would see anyone's fetch
      subscriber.next(this.present(entry.current));
      if (!subscriber.closed) this.add(subscriber);
    }
    return () => this.leave(subscriber);
  }

  private add(subscriber: Subscriber<QueryState<S>>): void {
    if (this.delivering > 0) this.subscribers = [...this.subscribers, subscriber];
    else this.subscribers.push(subscriber);
  }

  private leave(subscriber: Subscriber<QueryState<S>>): void {
    const index = this.subscribers.indexOf(subscriber);
    if (index >= 0) {
      if (this.delivering > 0) this.subscribers = this.subscribers.filter((_, i) => i !== index);
      else this.subscribers.splice(index, 1);
    }
    if (this.subscribers.length === 0 && this.stopObserving !== undefined) this.close();
  }

  /** The last subscriber left: stop listening, cancel the run if nobody else is in it, plan gc. */
  private close(): void {
    this.stopListening?.();
    this.refetches?.unsubscribe();
    if (this.staleTimer !== undefined) clearTimeout(this.staleTimer);
    // Leaving the run cancels it if nobody else is in it (the fetcher's signal aborts).
    this.run?.unsubscribe();
    this.stopObserving?.();
    this.stopObserving = undefined;
    const streams = streamsByEntry?.get(this.entry as QueryEntry<unknown>);
    const index = streams?.indexOf(this as unknown as SharedQuery<unknown, unknown>) ?? -1;
    if (index >= 0) streams!.splice(index, 1);
    if (streams?.length === 0) streamsByEntry!.delete(this.entry as QueryEntry<unknown>);
  }

  private isStale(): boolean {
    return this.config.staleTime <= 0 || this.entry.isStale(this.config.staleTime);
  }

  private readonly fetchNow = (request: RefetchRequest = 'join'): void => {
    const running = this.run !== undefined && !this.run.closed;
    if (running && request !== 'join')
      this.run!.unsubscribe(); // superseded: aborted once nobody else is in it
    else if (running) return;
    if (!this.config.enabled || request === 'leave') return;
    this.run = (this.run$ ??= this.entry.run(this.makeSource())).subscribe({ error: ignore });
  };

  private fetchIfStale(): void {
    if (this.isStale()) this.fetchNow();
  }

  private readonly emit = (state: EntryState<T>): void => {
    const result = this.present(state);
    const list = this.subscribers;
    this.delivering++;
    try {
      for (let i = 0; i < list.length; i++) list[i]!.next(result);
    } finally {
      this.delivering--;
    }
  };

  /** What subscribers see for `state`; plans the re-emission for when fresh data turns stale. */
  private present(state: EntryState<T>): QueryState<S> {
    const stale = this.timeless && state === this.lastState ? this.lastStale : this.isStale();
    const result = this.derive(state, stale);
    const staleTime = this.config.staleTime;
    if (!stale && Number.isFinite(staleTime) && state.updatedAt !== this.staleTimerFor) {
      if (this.staleTimer !== undefined) clearTimeout(this.staleTimer);
      this.staleTimerFor = state.updatedAt;
      this.staleTimer = setTimeout(() => this.emit(this.entry.current), state.updatedAt + staleTime - this.host.now() + 1);
      (this.staleTimer as { unref?: () => void }).unref?.();
    }
    return result;
  }

  /** One derived state object per entry change, shared by every subscriber. */
  private derive(state: EntryState<T>, stale: boolean): QueryState<S> {
    if (state === this.lastState && stale === this.lastStale && this.lastResult !== undefined) return this.lastResult;
    try {
      this.lastResult = toQueryState(state, stale, this.selectData, this.placeholder);
    } catch (cause) {
      // A throwing select fails the subscribers of this select only (as in TanStack Query): the
      // shared entry, its run and the other streams never see the exception. The last good data stays.
      const error = new RxSyncError('E_SELECT_THREW', `The select of query ${JSON.stringify(this.key)} threw: ${messageOf(cause)}`, {
        cause,
      });
      const kept = this.lastResult?.data as S;
      this.lastResult = { ...toQueryState(state, stale, () => kept, undefined), status: 'error', error };
    }
    this.lastState = state;
    this.lastStale = stale;
    return this.lastResult;
  }
}

const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));

/** Applies `select` once per distinct data value (a throwing select is tried again on the next value). */
function deriveMemo<T, S>(select: ((data: T) => S) | undefined): (data: T) => S {
  if (select === undefined) return (data) => data as unknown as S;
  let input: T | undefined;
  let output: S | undefined;
  let primed = false;
  return (data) => {
    if (!primed || data !== input) {
      output = select(data);
      input = data;
      primed = true;
    }
    return output as S;
  };
}
