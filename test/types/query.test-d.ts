// Type tests: checked by `tsc --noEmit` (part of `npm test`), never executed.
import { expectTypeOf } from 'expect-type';
import { defer, type Observable } from 'rxjs';
import type { Readable } from 'svelte/store';
import {
  computed,
  createClient,
  signal,
  type QueryState,
  type ReadonlySignal,
  type StoreObservable,
  type WritableSignal,
} from '../../lib/index.js';
import { cacheQuery, retryBackoff } from '../../operators/index.js';

interface Todo {
  id: number;
  title: string;
}

const client = createClient();

// The data type flows from the fetcher to the subscriber…
const todos$ = client.query({ key: ['todos'], fetch: async (): Promise<Todo[]> => [] });
expectTypeOf(todos$).toEqualTypeOf<StoreObservable<QueryState<Todo[]>>>();
expectTypeOf(todos$).toMatchTypeOf<Observable<QueryState<Todo[]>>>();
// …and it is a Svelte store, usable in `derived`.
expectTypeOf(todos$).toMatchTypeOf<Readable<QueryState<Todo[]>>>();

// …and through select.
const titles$ = client.query({ key: ['todos'], fetch: async (): Promise<Todo[]> => [], select: (todos) => todos.map((t) => t.title) });
expectTypeOf(titles$).toEqualTypeOf<StoreObservable<QueryState<string[]>>>();

// The key type reaches the fetcher.
client.query({
  key: ['todo', 7] as const,
  fetch: ({ key }) => {
    expectTypeOf(key).toEqualTypeOf<readonly ['todo', 7]>();
    return key[1];
  },
});

// The state is a union on status: success narrows data to T, the others leave it optional.
todos$.subscribe((state) => {
  expectTypeOf(state.data).toEqualTypeOf<Todo[] | undefined>();
  if (state.status === 'success') expectTypeOf(state.data).toEqualTypeOf<Todo[]>();
  if (state.status === 'pending') expectTypeOf(state.data).toEqualTypeOf<Todo[] | undefined>();
  if (state.status === 'error') {
    expectTypeOf(state.data).toEqualTypeOf<Todo[] | undefined>();
    expectTypeOf(state.error).toEqualTypeOf<unknown>();
  }
  // @ts-expect-error: without narrowing, data may be missing
  expectTypeOf(state.data).toEqualTypeOf<Todo[]>();
  // The shared fields stay readable on the union.
  expectTypeOf(state.fetchStatus).toEqualTypeOf<'idle' | 'fetching' | 'paused'>();
});
titles$.subscribe((state) => {
  if (state.status === 'success') expectTypeOf(state.data).toEqualTypeOf<string[]>();
});

// A query built by hand has the same type.
const manual$ = defer(async (): Promise<Todo> => ({ id: 1, title: 'x' })).pipe(retryBackoff(3), cacheQuery(client, ['todo', 1]));
expectTypeOf(manual$).toEqualTypeOf<Observable<QueryState<Todo>>>();

// Infinite queries know their page and param types.
const pages = client.infiniteQuery({
  key: ['feed'],
  initialPageParam: 0,
  fetch: async ({ pageParam }) => ({ items: [pageParam], next: pageParam + 1 }),
  getNextPageParam: (last) => last.next,
});
pages.subscribe((s) => expectTypeOf(s.data?.pages[0]?.items).toEqualTypeOf<number[] | undefined>());
// …and narrow on status like any query, keeping the paging flags.
pages.subscribe((s) => {
  if (s.status === 'success') expectTypeOf(s.data.pages).toEqualTypeOf<readonly { items: number[]; next: number }[]>();
  expectTypeOf(s.hasNextPage).toEqualTypeOf<boolean>();
});

// Signals infer through select and computed.
const count = signal(1);
expectTypeOf(count).toEqualTypeOf<WritableSignal<number>>();
const label = computed([count, signal('x')], (n, s) => `${s}${n}`);
expectTypeOf(label).toEqualTypeOf<ReadonlySignal<string>>();
expectTypeOf(label).toMatchTypeOf<Readable<string>>(); // a Svelte store
expectTypeOf(count.select((n) => n > 1)).toEqualTypeOf<ReadonlySignal<boolean>>();
// @ts-expect-error a read-only signal cannot be set
label.set('y');

// A mutation's optimistic recipe gets a draft of the cached type and the variables.
client.mutation<{ id: number; title: string }, void, Todo[]>({
  name: 'rename',
  send: async (variables) => {
    expectTypeOf(variables).toEqualTypeOf<{ id: number; title: string }>();
  },
  optimistic: {
    key: ['todos'],
    update: (todos, v) => {
      expectTypeOf(todos).toEqualTypeOf<Todo[]>();
      const todo = todos.find((t) => t.id === v.id);
      if (todo) todo.title = v.title;
    },
  },
});
