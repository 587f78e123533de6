import { computed, DestroyRef, inject, untracked, type Signal } from '@angular/core';
import type { Mutation, MutationOptions, MutationState, MutationStatus, QueuedMutation } from '../lib/index.js';
import { inContext, injectClient, type InjectOptions } from './injectClient.js';
import { observedSignal } from './observedSignal.js';
import { switchingResource } from './switchingResource.js';

/** What `injectMutation` returns: the state of the latest `mutate()` as signals, and the calls. */
export interface InjectedMutation<V, R> {
  /** The whole state (a union on `status`: `data` is `R` when `status` is `success`). */
  readonly state: Signal<MutationState<V, R>>;
  /** `idle`, `pending` (being queued), `queued` (durable, waiting for the server), `success`, `error`. */
  readonly status: Signal<MutationStatus>;
  /** The variables of the latest `mutate()`, `undefined` while idle. */
  readonly variables: Signal<V | undefined>;
  /** What the server answered, once `success`. */
  readonly data: Signal<R | undefined>;
  /** Why it failed (`error`), `null` otherwise. */
  readonly error: Signal<unknown>;
  /** Queued while the client is offline: it is kept and sent when back online. */
  readonly isPaused: Signal<boolean>;
  /** Applies the optimistic update and queues the mutation; resolves once it is durable. */
  mutate(variables: V): Promise<QueuedMutation<R>>;
  /** Back to `idle` (a queued op is not cancelled). */
  reset(): void;
}

/**
 * A mutation of the provided client (`client.mutation`), one handle per injection, its state as
 * signals. The handle is disposed when the injection context is destroyed; ops it queued stay in
 * the outbox and are sent by any other handle of the same `name` (or after a reload). When
 * `options` reads signals that change, the next read makes a new handle and disposes the old one.
 *
 * @example
 * ```ts
 * readonly add = injectMutation(() => ({
 *   name: 'add-todo',
 *   send: (text: string, { idempotencyKey }) => postTodo(text, idempotencyKey),
 *   optimistic: { key: ['todos'], update: (todos: Todo[], text) => void todos.push({ text, done: false }) },
 * }));
 * // template: (click)="add.mutate('milk')", @if (add.isPaused()) { queued offline }
 * ```
 */
export function injectMutation<V, R = unknown, T = unknown>(
  options: () => MutationOptions<V, R, T>,
  context: InjectOptions = {},
): InjectedMutation<V, R> {
  return inContext(injectMutation, context, () => {
    const client = injectClient();
    const destroyRef = inject(DestroyRef);
    const handle: Signal<Mutation<V, R>> = switchingResource(
      computed(options),
      (opts) => client.mutation(opts),
      (mutation) => mutation.dispose(),
      destroyRef,
    );
    const state = observedSignal(
      computed(() => handle().state$),
      destroyRef,
    );
    return {
      state,
      status: computed(() => state().status),
      variables: computed(() => state().variables),
      data: computed(() => state().data),
      error: computed(() => state().error),
      isPaused: computed(() => state().isPaused),
      mutate: (variables) => untracked(handle).mutate(variables),
      reset: () => untracked(handle).reset(),
    };
  });
}
