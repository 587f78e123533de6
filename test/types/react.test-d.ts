// Type tests for rxsync/react: checked by `tsc --noEmit` (part of `npm test`), never executed.
import { expectTypeOf } from 'expect-type';
import type { Json, LiveStatus, QueryState, Sibling } from '../../lib/index.js';
import type { FieldConflicts, LiveMvMap } from '../../lib/live/index.js';
import { useLive, useMutation, useQuery, useSignal, type LiveView, type MutationResult } from '../../react/index.js';
import { signal } from '../../lib/index.js';
import type { LiveTransport } from '../../lib/live/index.js';

interface Contact {
  name: string;
  phone: string;
}
declare const transport: LiveTransport;

// A query's data type flows from the fetcher, through `select`, and narrows on `status`.
const todos = useQuery({ key: ['todos'], fetch: async () => [{ id: 1, title: 'a' }] });
expectTypeOf(todos).toEqualTypeOf<QueryState<{ id: number; title: string }[]>>();
if (todos.status === 'success') expectTypeOf(todos.data).toEqualTypeOf<{ id: number; title: string }[]>();
const count = useQuery({ key: ['todos'], fetch: async () => [1, 2], select: (list) => list.length });
expectTypeOf(count.data).toEqualTypeOf<number | undefined>();

// A mutation's state and calls are typed by its variables and answer.
const save = useMutation({ name: 'save', send: async (contact: Contact) => ({ saved: contact.name }) });
expectTypeOf(save).toEqualTypeOf<MutationResult<Contact, { saved: string }>>();
expectTypeOf(save.mutate).parameter(0).toEqualTypeOf<Contact>();
if (save.status === 'success') expectTypeOf(save.data).toEqualTypeOf<{ saved: string }>();

// A live document's view follows its type: an mv-map's conflicts are per field.
const contact = useLive<Contact>({ room: 'r', doc: 'c', type: 'mv-map', transport });
expectTypeOf(contact).toEqualTypeOf<LiveView<LiveMvMap<Contact>>>();
expectTypeOf(contact.conflicts).toEqualTypeOf<FieldConflicts<Contact>>();
expectTypeOf(contact.status).toEqualTypeOf<LiveStatus>();
const pick = useLive({ room: 'r', doc: 'p', type: 'mv-register', transport });
expectTypeOf(pick.value).toEqualTypeOf<Json | undefined>();
expectTypeOf(pick.conflicts).toEqualTypeOf<readonly Sibling<Json>[]>();
expectTypeOf(useLive({ room: 'r', doc: 'n', type: 'pn-counter', transport }).value).toEqualTypeOf<number>();

// A signal's value type, and a derived one's.
const name = signal('Ann');
expectTypeOf(useSignal(name)).toEqualTypeOf<string>();
expectTypeOf(useSignal(name.select((n) => n.length))).toEqualTypeOf<number>();
