import type { QueryClient } from '../lib/query/client.js';
import type { Mutation, MutationOptions, QueuedMutation } from '../lib/query/mutation.js';
import type { MutationState } from '../lib/query/mutationState.js';
import { disposeWithComponent, resolveClient } from './clientContext.js';
import { ObservedValue } from './observedValue.js';

/** What {@link createMutation} returns: the latest `mutate` call's state as reactive properties. */
export interface SvelteMutation<V, R> {
  /** The whole state of the latest `mutate()` (narrow on `status`). */
  readonly state: MutationState<V, R>;
  /** `idle`, `pending` (being queued), `queued` (durable, waiting for the server), `success`, `error`. */
  readonly status: MutationState<V, R>['status'];
  /** True while the op waits in the outbox because the client is offline. */
  readonly isPaused: boolean;
  readonly variables: V | undefined;
  readonly data: R | undefined;
  readonly error: unknown;
  /** Applies the optimistic update and queues the op; resolves once it is durable in the outbox. */
  mutate(variables: V): Promise<QueuedMutation<R>>;
  /** Back to `idle` (a queued op stays queued). */
  reset(): void;
  /** Drops this handle (done for you when the component is destroyed). */
  dispose(): void;
}

class SvelteMutationImpl<V, R> implements SvelteMutation<V, R> {
  readonly #mutation: Mutation<V, R>;
  readonly #state: ObservedValue<Mutation<V, R>, MutationState<V, R>>;

  constructor(mutation: Mutation<V, R>) {
    this.#mutation = mutation;
    this.#state = new ObservedValue(
      () => mutation,
      () => true,
      (m) => m.state$,
    );
  }

  get state(): MutationState<V, R> {
    return this.#state.current;
  }
  get status(): MutationState<V, R>['status'] {
    return this.state.status;
  }
  get isPaused(): boolean {
    return this.state.isPaused;
  }
  get variables(): V | undefined {
    return this.state.variables;
  }
  get data(): R | undefined {
    return this.state.data;
  }
  get error(): unknown {
    return this.state.error;
  }
  mutate(variables: V): Promise<QueuedMutation<R>> {
    return this.#mutation.mutate(variables);
  }
  reset(): void {
    this.#mutation.reset();
  }
  dispose(): void {
    this.#mutation.dispose();
  }
}

/**
 * A mutation for a Svelte 5 component: one `client.mutation(options())` handle per call, its
 * state (`pending`, `queued` with `isPaused` while offline, `success`, `error`) as reactive
 * properties, disposed when the component is destroyed (queued ops stay queued and are sent by
 * any other handle of the same `name`). The options are read once.
 * `client`: default the one from {@link setClientContext}. Call it while a component initialises.
 *
 * @example
 * ```ts
 * const add = createMutation(() => ({ name: 'addTodo', send: (text: string) => postTodo(text) }));
 * // <button onclick={() => add.mutate(draft)} disabled={add.status === 'pending'}>Add</button>
 * ```
 */
export function createMutation<V, R = unknown, T = unknown>(
  options: () => MutationOptions<V, R, T>,
  client?: QueryClient,
): SvelteMutation<V, R> {
  const mutation = resolveClient(client).mutation(options());
  disposeWithComponent(() => mutation.dispose());
  return new SvelteMutationImpl(mutation);
}
