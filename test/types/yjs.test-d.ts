// Type tests for Yjs documents: checked by `tsc --noEmit`, never executed.
import { expectTypeOf } from 'expect-type';
import type * as Y from 'yjs';
import { createClient, createOutbox, liveDocuments, memoryStorage, type LiveTransport, type ReadonlySignal } from '../../lib/index.js';
import { yjsDocuments, type LiveAck, type LiveYDoc } from '../../yjs/index.js';

declare const transport: LiveTransport;
const client = createClient({ outbox: createOutbox({ storage: memoryStorage() }), live: liveDocuments.with(yjsDocuments) });

const note = client.live<Y.Doc>({ room: 'notes', doc: 'n1', type: 'yjs', transport });
expectTypeOf(note).toEqualTypeOf<LiveYDoc>();
expectTypeOf(note.ydoc).toEqualTypeOf<Y.Doc>();
expectTypeOf(note.lastAck$).toEqualTypeOf<ReadonlySignal<LiveAck | undefined>>();
expectTypeOf(note.pending$).toEqualTypeOf<ReadonlySignal<number>>();
expectTypeOf(note.flush()).toEqualTypeOf<Promise<void>>();
expectTypeOf(note.get()).toEqualTypeOf<Uint8Array>();
// Without the Y.Doc type argument the document is opaque: the app says what it holds.
expectTypeOf(client.live({ room: 'notes', doc: 'n1', type: 'yjs', transport }).ydoc).toEqualTypeOf<unknown>();
