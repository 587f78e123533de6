import type { DocType } from '../crdt/docTypes.js';
import type { Json } from '../crdt/json.js';
import type { Storage } from '../storage/storage.js';
import type { LiveCounter } from './docs/liveCounter.js';
import type { LiveDocs } from './docs/liveDocs.js';
import type { LiveMap } from './docs/liveMap.js';
import type { LiveMultiValue } from './docs/liveMultiValue.js';
import type { LiveMvMap } from './docs/liveMvMap.js';
import type { LiveRegister } from './docs/liveRegister.js';
import type { LiveSet } from './docs/liveSet.js';
import type { LiveYjs } from './docs/liveYjs.js';
import type { StandardSchemaV1 } from './docs/standardSchema.js';
import type { LiveCodec } from './liveCodec.js';
import type { LiveTransport } from './liveTransport.js';

/** Options of `client.live`; `S` is the value the schema vouches for. */
export interface LiveOptions<T extends DocType, S = unknown> {
  /** The room (the transport's hello must name the same room). */
  room: string;
  /** The document's name in the room. */
  doc: string;
  /** Its CRDT type; a document keeps the type it was created with. */
  type: T;
  /** How the room is reached: `webSocket`, `sse`, `polling` or `fallback` pointed at a hub. */
  transport: LiveTransport;
  /**
   * For an end-to-end room: seals op bodies before they are queued or sent, opens them after they
   * arrive (e.g. `codecChain([json(), compress(), encrypt({ keys })])`). The hub stores and
   * forwards envelopes it cannot read.
   */
  codec?: LiveCodec;
  /**
   * Saves the room's confirmed state (e.g. in the outbox's storage), so after a reload the last
   * synced values show at once, even offline, and only newer ops are fetched. For an end-to-end
   * room this is decrypted content: wrap the storage in `encryptedStorage`.
   */
  storage?: Storage;
  /**
   * A Standard Schema (zod, valibot, arktype…) the document's value must pass: remote states that
   * would make it fail are reported on `errors$` (`E_SCHEMA_REJECTED`) and not merged; local edits
   * that would are refused with `E_SCHEMA_REJECTED` before anything is queued. It checks, it does
   * not transform: the stored value is what was written. Its output type types the document.
   */
  schema?: StandardSchemaV1<unknown, S>;
  /**
   * End-to-end rooms: once the room's log holds about this many ops (plus a random share of up to
   * half as many, so clients do not all seal at once) after its newest sealed snapshot, this client
   * seals the room's confirmed state for the hub, so new clients start from it instead of replaying
   * the whole log. Default 500; 0 never seals (this client still reads snapshots). The room's first
   * `client.live` call decides.
   */
  snapshotEvery?: number;
}

/**
 * `client.live`: the document type follows `type`, its value type the generic or the schema
 * (`client.live<Todo>({ …, type: 'lww-map' })`, or `schema: todoSchema`).
 */
export interface OpenLive {
  <V extends object = Record<string, Json>>(options: LiveOptions<'lww-map', V>): LiveMap<V>;
  <V extends object = Record<string, Json>>(options: LiveOptions<'mv-map', V>): LiveMvMap<V>;
  <V = Json>(options: LiveOptions<'lww-register', V>): LiveRegister<V>;
  <V = Json>(options: LiveOptions<'mv-register', V>): LiveMultiValue<V>;
  <E extends string = string>(options: LiveOptions<'or-set', readonly E[]>): LiveSet<E>;
  (options: LiveOptions<'pn-counter', number>): LiveCounter;
  /** A Yjs document; `D` is `Y.Doc` (`client.live<Y.Doc>(…)`). Needs `liveDocuments.with(yjsDocuments)`. */
  <D = unknown>(options: LiveOptions<'yjs', never>): LiveYjs<D>;
  /** For code generic over the document type. */
  <T extends DocType>(options: LiveOptions<T>): LiveDocs[T];
}
