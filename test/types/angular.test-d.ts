// Type tests of rxsync/angular: checked by `tsc --noEmit` (part of `npm test`), never executed.
import type { Signal } from '@angular/core';
import { expectTypeOf } from 'expect-type';
import type {
  InfiniteQueryState,
  LiveCounter,
  LiveMap,
  LiveSet,
  LiveStatus,
  MutationState,
  MutationStatus,
  QueryState,
  QueuedMutation,
} from 'rxsync';
import { injectInfiniteQuery, injectLive, injectMutation, injectQuery } from 'rxsync/angular';
import type { Transport } from 'rxsync/transports';

interface Todo {
  id: number;
  title: string;
}
declare const transport: Transport;
declare function loadTodos(): Promise<Todo[]>;

// A query's data type flows from the fetcher, through `select`, to the signal.
const todos = injectQuery(() => ({ key: ['todos'], fetch: loadTodos }));
expectTypeOf(todos).toEqualTypeOf<Signal<QueryState<Todo[]>>>();
const titles = injectQuery(() => ({ key: ['todos'], fetch: loadTodos, select: (list: Todo[]) => list.map((t) => t.title) }));
expectTypeOf(titles).toEqualTypeOf<Signal<QueryState<string[]>>>();
const state = todos();
if (state.status === 'success') expectTypeOf(state.data).toEqualTypeOf<Todo[]>();

const pages = injectInfiniteQuery(() => ({
  key: ['pages'],
  initialPageParam: 0,
  fetch: ({ pageParam }) => Promise.resolve({ items: [pageParam], next: pageParam + 1 }),
  getNextPageParam: (last) => last.next,
}));
expectTypeOf(pages.state).toEqualTypeOf<Signal<InfiniteQueryState<{ items: number[]; next: number }, number>>>();
expectTypeOf(pages.fetchNextPage).toEqualTypeOf<() => Promise<void>>();

// A mutation's signals are typed by its variables and answer.
const save = injectMutation(() => ({ name: 'save', send: async (todo: Todo) => ({ saved: todo.id }) }));
expectTypeOf(save.state).toEqualTypeOf<Signal<MutationState<Todo, { saved: number }>>>();
expectTypeOf(save.status).toEqualTypeOf<Signal<MutationStatus>>();
expectTypeOf(save.variables).toEqualTypeOf<Signal<Todo | undefined>>();
expectTypeOf(save.data).toEqualTypeOf<Signal<{ saved: number } | undefined>>();
expectTypeOf(save.isPaused).toEqualTypeOf<Signal<boolean>>();
expectTypeOf(save.mutate).parameters.toEqualTypeOf<[Todo]>();
expectTypeOf(save.mutate).returns.toEqualTypeOf<Promise<QueuedMutation<{ saved: number }>>>();

// A live document's handle and value follow its type.
const card = injectLive<Todo>(() => ({ room: 'r', doc: 'card', type: 'lww-map', transport }));
expectTypeOf(card.doc).toEqualTypeOf<Signal<LiveMap<Todo>>>();
expectTypeOf(card.value).toEqualTypeOf<Signal<Readonly<Partial<Todo>>>>();
expectTypeOf(card.status).toEqualTypeOf<Signal<LiveStatus>>();
const tags = injectLive(() => ({ room: 'r', doc: 'tags', type: 'or-set', transport }));
expectTypeOf(tags.doc).toEqualTypeOf<Signal<LiveSet<string>>>();
expectTypeOf(tags.value).toEqualTypeOf<Signal<readonly string[]>>();
const votes = injectLive(() => ({ room: 'r', doc: 'votes', type: 'pn-counter', transport }));
expectTypeOf(votes.doc).toEqualTypeOf<Signal<LiveCounter>>();
expectTypeOf(votes.value).toEqualTypeOf<Signal<number>>();
