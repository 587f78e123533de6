import { useMemo, useSyncExternalStore } from 'react';
import type { QueryClient } from '../lib/query/client.js';
import type { QueryOptions } from '../lib/query/options.js';
import { hashQueryKey, type QueryKey } from '../lib/query/queryKey.js';
import type { QueryState } from '../lib/query/queryState.js';
import { useClientOr } from './context.js';
import { ExternalStore, observe } from './externalStore.js';

/**
 * A query's state in a component: `client.query(options)` subscribed while the component is
 * mounted (the last unmount aborts a running fetch), re-rendering when the state changes. Every
 * component of one key shares one request. The first render already has a state (cached data, or
 * `pending`), and so does the first render after the key changes: the hook switches to the new
 * key's query at once. Options other than `key` and `enabled` are read when one of those changes.
 * The client is the {@link RxSyncProvider}'s unless one is given.
 *
 * @example
 * ```tsx
 * function TodoTitle({ id }: { id: number }) {
 *   const todo = useQuery({ key: ['todo', id], fetch: ({ signal }) => api.todo(id, signal) });
 *   if (todo.status === 'error') return <p>Failed</p>;
 *   return <p>{todo.data?.title ?? '…'}</p>;
 * }
 * ```
 */
export function useQuery<T, S = T, K extends QueryKey = QueryKey>(options: QueryOptions<T, S, K>, client?: QueryClient): QueryState<S> {
  const used = useClientOr(client);
  const hash = hashQueryKey(options.key).hash;
  const store = useMemo(
    () => new ExternalStore<QueryState<S>>(observe(used.query(options)), 'useQuery'),
    // The options object is new every render: the query follows its key and `enabled`.
    [used, hash, options.enabled],
  );
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
