// Type tests: checked by `tsc --noEmit` (part of `npm test`), never executed.
import { expectTypeOf } from 'expect-type';
import type { Readable } from 'svelte/store';
import {
  createClient,
  createOutbox,
  memoryStorage,
  type MutationState,
  type MutationStatus,
  type StoreObservable,
} from '../../lib/index.js';

interface Todo {
  id: number;
  title: string;
}

const client = createClient({ outbox: createOutbox({ storage: memoryStorage() }) });
const save = client.mutation({ name: 'save', send: async (todo: Todo) => ({ saved: todo.id }) });

// The handle's state is typed by the variables and the answer, and is a Svelte store too.
expectTypeOf(save.state$).toEqualTypeOf<StoreObservable<MutationState<Todo, { saved: number }>>>();
expectTypeOf(save.state$).toMatchTypeOf<Readable<MutationState<Todo, { saved: number }>>>();
expectTypeOf(save.reset).toEqualTypeOf<() => void>();

declare const state: MutationState<Todo, { saved: number }>;
expectTypeOf(state.status).toEqualTypeOf<MutationStatus>();
expectTypeOf(state.data).toEqualTypeOf<{ saved: number } | undefined>();
expectTypeOf(state.variables).toEqualTypeOf<Todo | undefined>();

// Each status narrows the rest.
if (state.status === 'success') {
  expectTypeOf(state.data).toEqualTypeOf<{ saved: number }>();
  expectTypeOf(state.variables).toEqualTypeOf<Todo>();
  expectTypeOf(state.queuedId).toEqualTypeOf<string>();
  expectTypeOf(state.error).toEqualTypeOf<null>();
}
if (state.status === 'queued') {
  expectTypeOf(state.queuedId).toEqualTypeOf<string>();
  expectTypeOf(state.data).toEqualTypeOf<undefined>();
}
if (state.status === 'pending') expectTypeOf(state.queuedId).toEqualTypeOf<undefined>();
if (state.status === 'error') {
  expectTypeOf(state.queuedId).toEqualTypeOf<string | undefined>();
  expectTypeOf(state.error).toEqualTypeOf<unknown>();
  expectTypeOf(state.variables).toEqualTypeOf<Todo>();
}
if (state.status === 'idle') {
  expectTypeOf(state.variables).toEqualTypeOf<undefined>();
  // @ts-expect-error: an idle state has no answer
  expectTypeOf(state.data).toEqualTypeOf<{ saved: number }>();
}
