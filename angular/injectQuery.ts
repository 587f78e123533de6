import { computed, DestroyRef, inject, type Signal } from '@angular/core';
import type { QueryKey, QueryOptions, QueryState } from '../lib/index.js';
import { inContext, injectClient, type InjectOptions } from './injectClient.js';
import { observedSignal } from './observedSignal.js';

/**
 * A query of the provided client as an Angular signal of its state. `options` may read Angular
 * signals: when they change, the next read switches to the new query, showing its cached state at
 * once (the old query is unsubscribed after the new one is, so a shared key keeps its data). The
 * query is subscribed right away and unsubscribed when the injection context is destroyed (the
 * last subscriber of a key aborts its fetch). Works zoneless: new states mark readers dirty.
 *
 * @example
 * ```ts
 * readonly id = input.required<string>();
 * readonly todo = injectQuery(() => ({ key: ['todo', this.id()], fetch: ({ signal }) => loadTodo(this.id(), signal) }));
 * // template: @if (todo().status === 'success') { {{ todo().data.title }} }
 * ```
 */
export function injectQuery<T, S = T, K extends QueryKey = QueryKey>(
  options: () => QueryOptions<T, S, K>,
  context: InjectOptions = {},
): Signal<QueryState<S>> {
  return inContext(injectQuery, context, () => {
    const client = injectClient();
    const state = observedSignal(
      computed(() => client.query(options())),
      inject(DestroyRef),
    );
    return state;
  });
}
