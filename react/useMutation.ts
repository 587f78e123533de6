import { useMemo, useSyncExternalStore } from 'react';
import { RxSyncError } from '../lib/errors.js';
import type { QueryClient } from '../lib/query/client.js';
import type { Mutation, MutationOptions, QueuedMutation } from '../lib/query/mutation.js';
import type { MutationState } from '../lib/query/mutationState.js';
import { useClientOr } from './context.js';
import { ExternalStore } from './externalStore.js';

/** What {@link useMutation} returns: the state of the latest `mutate` call, and the calls. */
export type MutationResult<V, R> = MutationState<V, R> & {
  /** Applies the optimistic update and queues the mutation; resolves once it is durable in the outbox. */
  readonly mutate: (variables: V) => Promise<QueuedMutation<R>>;
  /** Back to `idle` (a queued op stays queued). */
  readonly reset: () => void;
};

/** One component's mutation handle and its state, opened while the component is mounted. */
function mutationStore<V, R, T>(client: QueryClient, options: MutationOptions<V, R, T>) {
  let handle: Mutation<V, R> | undefined;
  const store = new ExternalStore<MutationState<V, R>>((emit, fail) => {
    const mutation = client.mutation(options);
    handle = mutation;
    const subscription = mutation.state$.subscribe({ next: emit, error: fail });
    return {
      close() {
        subscription.unsubscribe();
        mutation.dispose();
        if (handle === mutation) handle = undefined;
      },
    };
  }, 'useMutation');
  const mutate = (variables: V): Promise<QueuedMutation<R>> =>
    handle === undefined
      ? Promise.reject(new RxSyncError('E_OPTION_INVALID', `useMutation "${options.name}": mutate called after the component unmounted`))
      : handle.mutate(variables);
  const reset = (): void => handle?.reset();
  return { store, mutate, reset };
}

/**
 * A mutation in a component: one `client.mutation(options)` handle per component (disposed on
 * unmount; its queued ops stay in the outbox and are sent by any handle of the same name) and
 * the state of its latest `mutate` call: `idle`, `pending` (being written to the outbox),
 * `queued` (durable; `isPaused` while offline), `success` or `error` (dead-lettered or not
 * queued). Options other than `name` are read when the name changes. The client is the
 * {@link RxSyncProvider}'s unless one is given.
 *
 * @example
 * ```tsx
 * function AddTodo() {
 *   const add = useMutation({ name: 'addTodo', send: (todo: Todo) => api.addTodo(todo) });
 *   return (
 *     <button disabled={add.status === 'pending'} onClick={() => void add.mutate({ id: 1, title: 'Write docs', done: false })}>
 *       {add.isPaused ? 'Saved offline' : 'Add'}
 *     </button>
 *   );
 * }
 * ```
 */
export function useMutation<V, R = unknown, T = unknown>(options: MutationOptions<V, R, T>, client?: QueryClient): MutationResult<V, R> {
  const used = useClientOr(client);
  // The options object (and its functions) are new every render: the handle follows the name.
  const bound = useMemo(() => mutationStore(used, options), [used, options.name]);
  const state = useSyncExternalStore(bound.store.subscribe, bound.store.getSnapshot, bound.store.getSnapshot);
  return useMemo(() => ({ ...state, mutate: bound.mutate, reset: bound.reset }), [state, bound]);
}
