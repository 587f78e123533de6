import { computed, DestroyRef, inject, untracked, type Signal } from '@angular/core';
import type { InfiniteQuery, InfiniteQueryOptions, InfiniteQueryState, QueryKey } from '../lib/index.js';
import { inContext, injectClient, type InjectOptions } from './injectClient.js';
import { observedSignal } from './observedSignal.js';

/** What `injectInfiniteQuery` returns: the state as a signal, and the way to load the next page. */
export interface InjectedInfiniteQuery<TPage, TParam> {
  /** The pages loaded so far, `hasNextPage`, `isFetchingNextPage` and the query fields. */
  readonly state: Signal<InfiniteQueryState<TPage, TParam>>;
  /** Loads the page after the last one of the current query; resolves when settled. */
  fetchNextPage(): Promise<void>;
}

/**
 * A paged query of the provided client (`client.infiniteQuery`) as a signal, with the same
 * switching and teardown as `injectQuery`.
 *
 * @example
 * ```ts
 * readonly feed = injectInfiniteQuery(() => ({
 *   key: ['feed'],
 *   initialPageParam: 0,
 *   fetch: ({ pageParam }) => loadPage(pageParam),
 *   getNextPageParam: (last) => last.next,
 * }));
 * // template: (click)="feed.fetchNextPage()", @for (page of feed.state().data?.pages ?? []; …)
 * ```
 */
export function injectInfiniteQuery<TPage, TParam, K extends QueryKey = QueryKey>(
  options: () => InfiniteQueryOptions<TPage, TParam, K>,
  context: InjectOptions = {},
): InjectedInfiniteQuery<TPage, TParam> {
  return inContext(injectInfiniteQuery, context, () => {
    const client = injectClient();
    const query: Signal<InfiniteQuery<TPage, TParam>> = computed(() => client.infiniteQuery(options()));
    const state = observedSignal(query, inject(DestroyRef));
    return { state, fetchNextPage: () => untracked(query).fetchNextPage() };
  });
}
