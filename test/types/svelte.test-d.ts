// Type tests for rxsync/svelte: checked by `tsc --noEmit` (part of `npm test`), never executed.
import { expectTypeOf } from 'expect-type';
import type { LiveMap, LiveMultiValue, LiveSet, MapValue, MutationState, QueryState, Sibling } from '../../lib/index.js';
import { createClient } from '../../lib/index.js';
import type { Transport } from '../../transports/index.js';
import { createLive, createMutation, createQuery, type SvelteLive, type SvelteMutation, type SvelteQuery } from '../../svelte/index.js';

declare const transport: Transport;
interface Todo {
  id: number;
  title: string;
}
const client = createClient();

// The data type flows from the fetcher (and select) to the properties.
const todos = createQuery(() => ({ key: ['todos'], fetch: async (): Promise<Todo[]> => [] }), client);
expectTypeOf(todos).toEqualTypeOf<SvelteQuery<Todo[]>>();
expectTypeOf(todos.data).toEqualTypeOf<Todo[] | undefined>();
expectTypeOf(todos.state).toEqualTypeOf<QueryState<Todo[]>>();
const count = createQuery(
  () => ({ key: ['todos'], fetch: async (): Promise<Todo[]> => [], select: (list: Todo[]) => list.length }),
  client,
);
expectTypeOf(count.data).toEqualTypeOf<number | undefined>();

// A mutation's variables and result.
const add = createMutation(() => ({ name: 'add', send: async (title: string) => ({ id: 1, title }) }), client);
expectTypeOf(add).toEqualTypeOf<SvelteMutation<string, { id: number; title: string }>>();
expectTypeOf(add.state).toEqualTypeOf<MutationState<string, { id: number; title: string }>>();
expectTypeOf(add.mutate).parameter(0).toEqualTypeOf<string>();

// The document type follows `type`, the value type the generic.
const ids = createLive(() => ({ room: 'r', doc: 'ids', type: 'or-set', transport }), client);
expectTypeOf(ids).toEqualTypeOf<SvelteLive<LiveSet<string>>>();
expectTypeOf(ids.value).toEqualTypeOf<readonly string[]>();
const card = createLive<Todo>(() => ({ room: 'r', doc: 'card', type: 'lww-map', transport }), client);
expectTypeOf(card.doc).toEqualTypeOf<LiveMap<Todo>>();
expectTypeOf(card.value).toEqualTypeOf<MapValue<Todo>>();
const title = createLive<string>(() => ({ room: 'r', doc: 'title', type: 'mv-register', transport }), client);
expectTypeOf(title.doc).toEqualTypeOf<LiveMultiValue<string>>();
expectTypeOf(title.value).toEqualTypeOf<string | undefined>();
expectTypeOf(title.conflicts).toEqualTypeOf<readonly Sibling<string>[]>();
