import type { QueryClient } from '../lib/query/client.js';
import type { QueryOptions } from '../lib/query/options.js';
import { hashQueryKey, type HashedKey, type QueryKey } from '../lib/query/queryKey.js';
import type { QueryState } from '../lib/query/queryState.js';
import { resolveClient } from './clientContext.js';
import { ObservedValue } from './observedValue.js';

/** What {@link createQuery} returns: the query's state as reactive properties. */
export interface SvelteQuery<S> {
  /** The whole state (narrow on `status`), for `$derived` or passing on. */
  readonly state: QueryState<S>;
  readonly status: QueryState<S>['status'];
  readonly data: S | undefined;
  readonly error: unknown;
  readonly isFetching: boolean;
  readonly isStale: boolean;
  readonly isPlaceholderData: boolean;
  readonly fetchStatus: QueryState<S>['fetchStatus'];
  readonly updatedAt: number;
  readonly failureCount: number;
  /** Refetches this key (and the keys under it) now; resolves when done. */
  refetch(): Promise<void>;
}

interface Current<T, S, K extends QueryKey> {
  readonly options: QueryOptions<T, S, K>;
  readonly hash: HashedKey;
}

class SvelteQueryImpl<T, S, K extends QueryKey> implements SvelteQuery<S> {
  readonly #client: QueryClient;
  readonly #options: () => QueryOptions<T, S, K>;
  readonly #value: ObservedValue<Current<T, S, K>, QueryState<S>>;

  constructor(client: QueryClient, options: () => QueryOptions<T, S, K>) {
    this.#client = client;
    this.#options = options;
    this.#value = new ObservedValue(
      () => {
        const current = options();
        return { options: current, hash: hashQueryKey(current.key) };
      },
      (a, b) => a.hash === b.hash,
      ({ options }) => client.query(options),
    );
  }

  get state(): QueryState<S> {
    return this.#value.current;
  }
  get status(): QueryState<S>['status'] {
    return this.state.status;
  }
  get data(): S | undefined {
    return this.state.data;
  }
  get error(): unknown {
    return this.state.error;
  }
  get isFetching(): boolean {
    return this.state.isFetching;
  }
  get isStale(): boolean {
    return this.state.isStale;
  }
  get isPlaceholderData(): boolean {
    return this.state.isPlaceholderData;
  }
  get fetchStatus(): QueryState<S>['fetchStatus'] {
    return this.state.fetchStatus;
  }
  get updatedAt(): number {
    return this.state.updatedAt;
  }
  get failureCount(): number {
    return this.state.failureCount;
  }
  refetch(): Promise<void> {
    return this.#client.invalidate(this.#options().key);
  }
}

/**
 * A query for a Svelte 5 component: `client.query(options())` read through runes. The options
 * function may read `$state`: when the key it returns changes, the query switches to the new key
 * at once (its cached value shows in the same render; a fetch starts if it is stale). Options
 * other than the key are taken when the key changes. Subscribed while the component shows it;
 * destroying the component unsubscribes, which aborts a fetch nobody else waits for.
 * `client`: default the one from {@link setClientContext}. Call it while a component initialises.
 *
 * @example
 * ```ts
 * // in <script lang="ts">: let id = $state(1);
 * const user = createQuery(() => ({ key: ['user', id], fetch: ({ signal }) => loadUser(id, signal) }));
 * // in the markup: {#if user.status === 'success'}{user.data.name}{/if}
 * ```
 */
export function createQuery<T, S = T, K extends QueryKey = QueryKey>(
  options: () => QueryOptions<T, S, K>,
  client?: QueryClient,
): SvelteQuery<S> {
  return new SvelteQueryImpl(resolveClient(client), options);
}
