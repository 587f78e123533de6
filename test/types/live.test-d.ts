// Type tests for typed live documents: checked by `tsc --noEmit`, never executed.
import { expectTypeOf } from 'expect-type';
import type { Observable } from 'rxjs';
import {
  createClient,
  createOutbox,
  liveDocuments,
  memoryStorage,
  type Json,
  type LiveCounter,
  type LiveMap,
  type LiveMultiValue,
  type LiveMvMap,
  type LiveQueryState,
  type LiveRegister,
  type LiveSet,
  type LiveTransport,
  type ReadonlySignal,
  type Sibling,
  type StandardSchemaV1,
} from '../../lib/index.js';

declare const transport: LiveTransport;
const client = createClient({ outbox: createOutbox({ storage: memoryStorage() }), live: liveDocuments });
const at = { room: 'board', transport };

// An interface (no index signature) is a fine record type.
interface Todo {
  title: string;
  done: boolean;
}

// lww-map: the generic types the value (Partial: an unwritten document is {}) and the edits.
const todo = client.live<Todo>({ ...at, doc: 'todo-1', type: 'lww-map' });
expectTypeOf(todo).toEqualTypeOf<LiveMap<Todo>>();
expectTypeOf(todo.get()).toEqualTypeOf<Readonly<Partial<Todo>>>();
expectTypeOf(todo.value$).toEqualTypeOf<ReadonlySignal<Readonly<Partial<Todo>>>>();
expectTypeOf(todo.state$).toEqualTypeOf<Observable<LiveQueryState<Readonly<Partial<Todo>>>>>();
// A live document's query state narrows on status like any query's, and keeps its own fields.
todo.state$.subscribe((state) => {
  if (state.status === 'success') expectTypeOf(state.data).toEqualTypeOf<Readonly<Partial<Todo>>>();
  expectTypeOf(state.pending).toEqualTypeOf<number>();
});
void todo.set('title', 'Ship it');
void todo.set('done', true);
// @ts-expect-error a field's value has the field's type
void todo.set('done', 'yes');
// @ts-expect-error only the record's fields
void todo.set('owner', 'ann');
// @ts-expect-error only the record's fields
void todo.remove('owner');
void todo.update((draft) => {
  draft.done = true;
});
void todo.update((draft) => {
  // @ts-expect-error the draft is typed
  draft.done = 'yes';
});

// Untyped documents keep today's types.
const card = client.live({ ...at, doc: 'card', type: 'lww-map' });
expectTypeOf(card).toEqualTypeOf<LiveMap>();
expectTypeOf(card.get()).toEqualTypeOf<Readonly<Record<string, Json>>>();
void card.set('anything', { nested: [1, 'two'] });

// A Standard Schema types the document without a generic.
declare const todoSchema: StandardSchemaV1<unknown, Todo>;
const checked = client.live({ ...at, doc: 'todo-2', type: 'lww-map', schema: todoSchema });
expectTypeOf(checked).toEqualTypeOf<LiveMap<Todo>>();
// @ts-expect-error a schema of another shape does not fit the generic
client.live<{ id: number }>({ ...at, doc: 'todo-3', type: 'lww-map', schema: todoSchema });

// Registers.
const title = client.live<string>({ ...at, doc: 'title', type: 'lww-register' });
expectTypeOf(title).toEqualTypeOf<LiveRegister<string>>();
expectTypeOf(title.get()).toEqualTypeOf<string | undefined>();
void title.update((current) => `${current ?? ''}!`);
// @ts-expect-error a string register takes strings
void title.set(42);
const colour = client.live<'red' | 'blue'>({ ...at, doc: 'colour', type: 'mv-register' });
expectTypeOf(colour).toEqualTypeOf<LiveMultiValue<'red' | 'blue'>>();
expectTypeOf(colour.conflicts$.get()).toEqualTypeOf<readonly Sibling<'red' | 'blue'>[]>();
// @ts-expect-error not one of the values
void colour.set('green');

// Counter and set.
const clicks = client.live({ ...at, doc: 'clicks', type: 'pn-counter' });
expectTypeOf(clicks).toEqualTypeOf<LiveCounter>();
expectTypeOf(clicks.get()).toEqualTypeOf<number>();
// @ts-expect-error a counter adds numbers
void clicks.add('1');
const tags = client.live<'urgent' | 'later'>({ ...at, doc: 'tags', type: 'or-set' });
expectTypeOf(tags).toEqualTypeOf<LiveSet<'urgent' | 'later'>>();
expectTypeOf(tags.get()).toEqualTypeOf<readonly ('urgent' | 'later')[]>();
// @ts-expect-error not a tag
void tags.add('someday');

// mv-map: per-field conflicts typed by the field.
const form = client.live<Todo>({ ...at, doc: 'form', type: 'mv-map' });
expectTypeOf(form).toEqualTypeOf<LiveMvMap<Todo>>();
expectTypeOf(form.conflicts$.get().title).toEqualTypeOf<readonly Sibling<string>[] | undefined>();
expectTypeOf(form.conflicts$.get().done).toEqualTypeOf<readonly Sibling<boolean>[] | undefined>();
void form.resolve('title', 'Merged');
// @ts-expect-error resolve with the field's type
void form.resolve('done', 'no');

// Code generic over the document type still works.
function open<T extends 'lww-map' | 'pn-counter'>(type: T) {
  return client.live({ ...at, doc: 'x', type });
}
expectTypeOf(open('pn-counter')).toEqualTypeOf<LiveCounter>();
