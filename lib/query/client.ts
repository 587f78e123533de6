import { Observable, firstValueFrom, filter, ignoreElements, catchError, EMPTY, lastValueFrom } from 'rxjs';
import { retryBackoff } from '../../operators/retryBackoff.js';
import { onlineManager } from '../environment/onlineManager.js';
import { focusManager } from '../environment/focusManager.js';
import type { EnvironmentFlag } from '../environment/flag.js';
import { RxSyncError } from '../errors.js';
import type { Outbox } from '../outbox/outbox.js';
import type { LiveDocuments, LiveRegistry } from '../live/liveRegistry.js';
import type { OpenLive } from '../live/liveOptions.js';
import { applyRecipe, type Recipe } from '../signals/recipe.js';
import { Cell } from '../signals/cell.js';
import { storeObservable, storeObservableOf, type StoreObservable } from '../signals/storeObservable.js';
import type { CacheHost } from './cacheHost.js';
import { dehydrateCache, hydrateCache, type DehydratedState } from './dehydrate.js';
import { fromFetcher } from './fromFetcher.js';
import { connectMutationHub, createMutation, type Mutation, type MutationHub, type MutationOptions } from './mutation.js';
import { createInfiniteQuery, type InfiniteQuery, type InfiniteQueryOptions } from './infiniteQuery.js';
import {
  queryOptionKeys,
  sharedOptionKeys,
  validateOptions,
  type FetchContext,
  type QueryOptions,
  type SharedQueryOptions,
} from './options.js';
import { checkOptions } from '../options/checkOptions.js';
import { clientMovedOptions, clientOptionSpec } from './clientOptionSpec.js';
import { clientEvents, type ClientEvent } from './clientEvents.js';
import { QueryCache } from './queryCache.js';
import { hashNewKey, hashQueryKey, type QueryKey } from './queryKey.js';
import { querySubscriber } from './querySubscriber.js';
import type { QueryState } from './queryState.js';
import { queryRetry } from './retryConfig.js';
import type { ClientMetrics } from './clientMetrics.js';

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** Defaults for every query of this client; each query may override them. */
  defaults?: SharedQueryOptions;
  /** Online flag. Default: the shared `onlineManager`. */
  online?: EnvironmentFlag;
  /** Focus flag. Default: the shared `focusManager`. */
  focus?: EnvironmentFlag;
  /** Clock, injectable for tests. Default `Date.now`. */
  now?: () => number;
  /**
   * Where mutations are queued until the server accepts them, e.g.
   * `createOutbox({ storage: localforageStorage({ name: 'app' }) })`: with durable storage, queued
   * writes survive reloads. Needed by `client.mutation`; chosen explicitly (no silent in-memory
   * default that would lose writes on reload), and clients that never mutate don't carry it.
   */
  outbox?: Outbox;
  /**
   * This client's replica id in live documents (its clock's node id). Default: a random id per
   * client, which is what you want unless you restore a replica's state yourself.
   */
  nodeId?: string;
  /**
   * Records cache hits and misses, fetch latency and errors, retries, live reconnects and outbox
   * depth: `createClient({ metrics: clientMetrics(createMetrics()) })`, then render the registry
   * as Prometheus text. Opt-in, so clients without metrics do not bundle them.
   */
  metrics?: ClientMetrics;
  /**
   * Turns on `client.live`: pass `liveDocuments` (from `rxsync`). Opt-in so that apps that only
   * query do not carry the live-sync code (about 10 kB min+gzip).
   */
  live?: LiveDocuments;
}

/** Options of `client.prefetch`. */
export type PrefetchOptions<T, K extends QueryKey = QueryKey> = Pick<
  QueryOptions<T, T, K>,
  'key' | 'fetch' | 'staleTime' | 'gcTime' | 'retry' | 'retryDelay'
>;

/** The query client: a cache of keyed queries and the ways to read, write and refresh it. */
export interface QueryClient extends CacheHost {
  /**
   * A cold Observable of the query's state. Subscribing fetches when the data is stale; every
   * subscriber of the same key shares one request; the last unsubscribe aborts it. Subscribers of
   * one key with equal options (functions compared by identity) share one stream: `select` runs
   * once per change for all of them, and the stream fetches with the `fetch` of the subscriber
   * that started it (queries of one key are expected to fetch the same thing).
   * Invalid options or keys arrive as an `RxSyncError` on the error channel (thrown by `subscribe`
   * when subscribed as a Svelte store, so `get(query)` fails at once). It is a Svelte store too.
   */
  query<T, S = T, K extends QueryKey = QueryKey>(options: QueryOptions<T, S, K>): StoreObservable<QueryState<S>>;
  /** A paged query: `pages` in order, and `fetchNextPage()` to load more. */
  infiniteQuery<TPage, TParam, K extends QueryKey = QueryKey>(
    options: InfiniteQueryOptions<TPage, TParam, K>,
  ): InfiniteQuery<TPage, TParam>;
  /** The cached data for `key`, synchronously (a live document's merged value under `['live', room, doc]`). */
  getData<T>(key: QueryKey): T | undefined;
  /**
   * Writes data for `key`: a value, or an immer recipe over the current data. An open live
   * document's key is refused (`E_LIVE_KEY`): edit it through its handle, so the edit is synced.
   */
  setData<T>(key: QueryKey, updater: T | Recipe<T | undefined>): void;
  /**
   * What happens in the client, as one stream of {@link ClientEvent}s told apart by `type`: cache
   * entries (fetched queries and live documents alike) `added`, `updated`, `invalidated`,
   * `removed`; outbox ops `mutation-queued`, `mutation-acked`, `mutation-dead`; the outbox's
   * `outbox-pending` count and `outbox-leader` flag; live rooms' `connection` status. Hot (no
   * replay); nothing is built while nobody subscribes.
   */
  readonly events$: Observable<ClientEvent>;
  /**
   * Marks every query whose key starts with `prefix` stale and refetches the observed ones (an
   * open live document asks the hub for its room's whole state again). A fetch already in flight
   * is superseded (aborted, its result dropped), since it may predate what made the data stale.
   * Resolves when those refetches settled. `invalidate()` reaches every query.
   */
  invalidate(prefix?: QueryKey, options?: { refetch?: boolean }): Promise<void>;
  /** Fetches into the cache if stale, without subscribing; resolves when done (never rejects). */
  prefetch<T, K extends QueryKey = QueryKey>(options: PrefetchOptions<T, K>): Promise<void>;
  /** A JSON-safe snapshot of the successful queries (for SSR or persistence). */
  dehydrate(): DehydratedState;
  /** Loads a snapshot made by `dehydrate`, validated first; newer cached data wins. */
  hydrate(snapshot: unknown): void;
  /** Drops every cached entry. */
  clear(): void;
  /**
   * A mutation: `mutate(variables)` applies the optimistic update, queues the op durably in the
   * outbox (resolving only then), sends it when online, invalidates `invalidates` on success and
   * rolls the optimistic change back if the op is dead-lettered.
   */
  mutation<V, R = unknown, T = unknown>(options: MutationOptions<V, R, T>): Mutation<V, R>;
  /** The outbox mutations are queued in (`undefined` unless given to `createClient`). */
  readonly outbox: Outbox | undefined;
  /**
   * A document in a hub room, kept in sync live: its value as a signal, edits applied at once and
   * queued in the outbox (so they survive offline and reload), conflicts and presence. It is the
   * query `['live', room, doc]` of this client's cache. The value is typed by the generic
   * (`client.live<Todo>(…)`) or the `schema`. Needs `createClient({ outbox, live: liveDocuments })`.
   *
   * @example
   * ```ts
   * const transport = webSocket('wss://hub.example/ws', { hello: { room: 'board', token } });
   * const card = client.live({ room: 'board', doc: 'card-1', type: 'lww-map', transport });
   * card.value$.subscribe(render);
   * await card.set('title', 'Ship it');
   * ```
   */
  readonly live: OpenLive;
}

/**
 * Creates a query client.
 *
 * @example
 * ```ts
 * const client = createClient({ defaults: { staleTime: 30_000 } });
 * const todos$ = client.query({ key: ['todos'], fetch: ({ signal }) => fetch('/api/todos', { signal }).then((r) => r.json()) });
 * ```
 */
export function createClient(options: ClientOptions = {}): QueryClient {
  checkOptions('createClient', options, clientOptionSpec, clientMovedOptions);
  const defaults = options.defaults ?? {};
  validateOptions(defaults, sharedOptionKeys, 'createClient defaults');
  const now = options.now ?? Date.now;
  const online = options.online ?? onlineManager;
  const focus = options.focus ?? focusManager;
  const cache = new QueryCache(now, online, focus, defaults.gcTime);
  const outbox = options.outbox;
  let hub: MutationHub | undefined; // made on the first mutation: clients that never mutate carry no listeners
  let liveRegistry: LiveRegistry | undefined; // made on the first live document
  // Where events$ finds the registry once it exists (only for clients with live documents).
  const liveOpened = options.live === undefined ? undefined : new Cell<LiveRegistry | undefined>(undefined);
  let events$: Observable<ClientEvent> | undefined;
  const metrics = options.metrics;
  if (metrics !== undefined && outbox !== undefined) metrics.watchOutbox(outbox);

  const subscribeQuery = querySubscriber({ cache, now, online, focus }, defaults, metrics);
  const client: QueryClient = {
    cache,
    now,
    online,
    focus,

    query<T, S = T, K extends QueryKey = QueryKey>(queryOptions: QueryOptions<T, S, K>): StoreObservable<QueryState<S>> {
      try {
        validateOptions(queryOptions, queryOptionKeys, 'client.query');
        if (typeof queryOptions.fetch !== 'function') throw new TypeError('client.query needs a fetch function');
        if (metrics !== undefined) {
          const hashed = hashQueryKey(queryOptions.key);
          const staleTime = queryOptions.staleTime ?? defaults.staleTime ?? 0;
          const states = new Observable<QueryState<S>>((subscriber) => subscribeQuery(queryOptions, subscriber));
          return storeObservable(metrics.lookup(states, cache, hashed, staleTime));
        }
        // Nothing is built per call: components call this on every render. The key is resolved,
        // and the fetch pipeline built, when someone subscribes (see subscribeQuery).
        return storeObservableOf<QueryState<S>>((subscriber) => subscribeQuery(queryOptions, subscriber));
      } catch (error) {
        return storeObservable(new Observable<never>((subscriber) => subscriber.error(error)));
      }
    },

    infiniteQuery(infiniteOptions) {
      return createInfiniteQuery(client, { ...defaults, ...infiniteOptions });
    },

    getData<T>(key: QueryKey): T | undefined {
      return cache.find<T>(key)?.current.data;
    },

    setData<T>(key: QueryKey, updater: T | Recipe<T | undefined>): void {
      const found = cache.find<T>(key);
      const hashed = found?.key ?? hashNewKey(key);
      const owner = cache.ownerOf(hashed);
      if (owner !== undefined) {
        throw new RxSyncError(
          'E_LIVE_KEY',
          `client.setData: ${hashed.hash} is ${owner}; edit it through its handle (set, update, remove…) so the change is synced`,
          { details: { key: hashed.key } },
        );
      }
      const entry = found ?? cache.build<T>(hashed);
      // With optimistic changes outstanding, the write is to the confirmed data under them.
      const current = (cache.confirmed?.(entry.key) as T | undefined) ?? entry.current.data;
      const next = typeof updater === 'function' ? applyRecipe(current, updater as Recipe<T | undefined>) : updater;
      if (next === undefined || (next === current && entry.current.status === 'success')) return;
      entry.dispatch({ type: 'setData', data: (cache.rebase?.(entry.key, next) as T | undefined) ?? next, at: now() });
      if (entry.observerCount === 0) entry.scheduleGc(cache.gcTime);
    },

    async invalidate(prefix: QueryKey = [], invalidateOptions: { refetch?: boolean } = {}): Promise<void> {
      const refetching: Promise<unknown>[] = [];
      for (const entry of cache.findAll(hashQueryKey(prefix))) {
        entry.dispatch({ type: 'invalidate' });
        if ((invalidateOptions.refetch ?? true) && entry.observerCount > 0) {
          entry.requestRefetch(true); // a fetch in flight may predate what made the data stale
          refetching.push(firstValueFrom(entry.state.pipe(filter((s) => s.fetchStatus === 'idle'))));
        }
      }
      await Promise.all(refetching);
    },

    async prefetch<T, K extends QueryKey = QueryKey>(prefetchOptions: PrefetchOptions<T, K>): Promise<void> {
      validateOptions(prefetchOptions, ['key', 'fetch', 'staleTime', 'gcTime', 'retry', 'retryDelay'], 'client.prefetch');
      const o = { ...defaults, ...prefetchOptions };
      const hashed = hashQueryKey(o.key);
      const entry = cache.build<T>(hashed);
      if (!entry.isStale(o.staleTime ?? 0)) return;
      const source = fromFetcher<T, FetchContext<K>>(o.fetch, { key: o.key }, o.key).pipe(
        retryBackoff(queryRetry(o, online, () => cache.build(hashed))),
      );
      await lastValueFrom(
        entry.run(source).pipe(
          ignoreElements(),
          catchError(() => EMPTY),
        ),
        { defaultValue: undefined },
      );
      entry.scheduleGc(o.gcTime ?? 5 * 60 * 1000);
    },

    outbox,

    mutation<V, R = unknown, T = unknown>(mutationOptions: MutationOptions<V, R, T>): Mutation<V, R> {
      if (outbox === undefined) {
        throw new RxSyncError(
          'E_OPTION_INVALID',
          'client.mutation needs an outbox: createClient({ outbox: createOutbox({ storage }) }), with durable storage such as localforageStorage() so queued writes survive a reload (memoryStorage() for tests)',
        );
      }
      hub ??= connectMutationHub(cache, outbox);
      return createMutation({ cache, outbox, hub, online, now, invalidate: (prefix) => client.invalidate(prefix) }, mutationOptions);
    },

    get events$() {
      return (events$ ??= clientEvents({ cache$: cache.events$, outbox, live: liveOpened }));
    },

    live: ((liveOptions: Parameters<OpenLive>[0]) => {
      if (outbox === undefined) {
        throw new RxSyncError(
          'E_OPTION_INVALID',
          'client.live needs an outbox: createClient({ outbox: createOutbox({ storage }) }), so edits made offline survive a reload',
        );
      }
      if (options.live === undefined) {
        throw new RxSyncError(
          'E_OPTION_INVALID',
          "client.live needs live documents turned on: import { liveDocuments } from 'rxsync' and pass createClient({ outbox, live: liveDocuments })",
        );
      }
      if (liveRegistry === undefined) {
        liveRegistry = options.live({ outbox, cache, now, nodeId: options.nodeId, onReconnect: metrics?.reconnected });
        liveOpened?.set(liveRegistry);
      }
      return liveRegistry.open(liveOptions);
    }) as OpenLive,

    dehydrate: () => dehydrateCache(cache),
    hydrate: (snapshot) => hydrateCache(cache, snapshot),
    clear: () => cache.clear(),
  };
  return client;
}
