/**
 * `rxsync/yjs`: Yjs documents for collaborative text, carried by rxsync's outbox and hub.
 *
 * Yjs is an optional peer (`npm install yjs`); only apps importing this entry load it.
 *
 * Public API:
 * - `yjsDocuments`: register it once, `createClient({ outbox, live: liveDocuments.with(yjsDocuments) })`.
 *   Without it, `client.live({ type: 'yjs', … })` throws `E_DOC_TYPE_UNAVAILABLE` naming this import.
 * - `client.live<Y.Doc>({ room, doc, type: 'yjs', transport, codec?, storage? })` returns a
 *   {@link LiveYDoc} (the same `LiveDocBase` as every live document, plus):
 *   - `ydoc: Y.Doc`: edit it with the Yjs API or bind it to an editor (y-codemirror, y-prosemirror…).
 *     Its updates (any transaction origin except the handle itself) are merged per tick
 *     (microtask), queued durably in the outbox and sent through the room; remote updates are
 *     applied with `Y.applyUpdate(ydoc, update, handle)`, so `transaction.origin === handle`
 *     tells an editor binding they are remote, and they are never sent back.
 *   - `pending$` (updates queued, not yet acknowledged), `lastAck$` (`{ id, at }` of the last
 *     acknowledged update), `synced()` (flushes the tick's batch, then resolves once the hub has
 *     everything), `status$`, `errors$`, `presence$` / `setPresence(json)`, `flush()`, `close()`.
 *   - `value$`/`get()`: the merged update (`Uint8Array`, `Y.encodeStateAsUpdate` form), encoded
 *     only when asked: `get()` is current, `value$` subscribers are told once per burst of changes.
 *   The replica behind it keeps a `Y.Doc` (updates applied one by one), so an edit, local or
 *   remote, costs in proportion to the edit, not to the document.
 * - `yjsAwareness(handle, awareness)`: binds a y-protocols `Awareness` to the room's presence, so
 *   editor bindings show others' carets (see its TSDoc).
 * - `yjsKind`: the type's CRDT operations (state = one merged update; merge = `Y.mergeUpdates`),
 *   e.g. for `mergeCrdt(yjsKind)`; `checkYjsUpdate(bytes)` validates untrusted updates
 *   (`E_YJS_UPDATE_INVALID`); `MAX_YJS_UPDATE_BYTES`.
 *
 * @example
 * ```ts
 * import * as Y from 'yjs';
 * import { createClient, createOutbox, liveDocuments, memoryStorage } from 'rxsync';
 * import { webSocket } from 'rxsync/transports';
 * import { yjsDocuments } from 'rxsync/yjs';
 *
 * const outbox = createOutbox({ storage: memoryStorage() });
 * const client = createClient({ outbox, live: liveDocuments.with(yjsDocuments) });
 * const transport = webSocket({ url: 'ws://localhost:8787/sync', room: 'notes' });
 * const note = client.live<Y.Doc>({ room: 'notes', doc: 'note-1', type: 'yjs', transport });
 * note.ydoc.getText('body').insert(0, 'Hello');
 * ```
 */
export { yjsDocuments } from './yjsDocuments.js';
export type { LiveYDoc } from './liveYDoc.js';
export { yjsKind, checkYjsUpdate, MAX_YJS_UPDATE_BYTES } from './yjsKind.js';
export type { LiveYjs, LiveAck } from '../lib/live/docs/liveYjs.js';
export type { LiveDocExtension } from '../lib/live/liveExtension.js';
export {
  yjsAwareness,
  readAwarenessPresence,
  ROOM_ORIGIN,
  type AwarenessChanges,
  type AwarenessLike,
  type AwarenessPresence,
  type AwarenessState,
  type PresenceRoom,
  type YjsAwarenessOptions,
} from './yjsAwareness.js';
