import { Subject, defer, distinctUntilChanged, map, merge, mergeMap, skip, type Observable } from 'rxjs';
import { createHlc, type Hlc } from '../crdt/hlc.js';
import { RxSyncError } from '../errors.js';
import type { Outbox, OutboxSender } from '../outbox/outbox.js';
import { isDocName, isRoomName } from '../protocol/names.js';
import { randomId } from '../randomId.js';
import { DOC_TYPES, isDocType, registerDocKind, type DocType } from '../crdt/docTypes.js';
import { registerReplica, type DocReplica } from './docReplica.js';
import { createDoc, unavailable, type AnyDocParts } from './docs/liveDocs.js';
import type { LiveDocExtension } from './liveExtension.js';
import { bindLiveEntry, type LiveCacheHost, type LiveEntry } from './docs/liveEntry.js';
import { isStandardSchema, schemaCheck } from './docs/standardSchema.js';
import type { LiveOptions, OpenLive } from './liveOptions.js';
import { sameLiveStatus, type LiveStatus } from './liveStatus.js';
import { LIVE_OP, checkLivePayload } from './liveOp.js';
import { RefusedError } from '../outbox/refusedError.js';
import { showPeerEdits } from './peerEdits.js';
import { RoomLink } from './roomLink.js';
import { checkOptions } from '../options/checkOptions.js';
import { liveOptionSpec } from '../options/specs.js';

/** The live documents of one client: one {@link RoomLink} per room, one clock, one outbox sender. */
export interface LiveRegistry {
  /** Opens a document (see {@link OpenLive}). */
  readonly open: OpenLive;
  /** This client's clock (its node id stamps every edit). */
  readonly clock: Hlc;
  /**
   * Every change of a room connection's status, for rooms open now and rooms opened later (a new
   * room's first status included). Hot: nothing is watched while nobody subscribes.
   */
  readonly connections$: Observable<{ readonly room: string; readonly status: LiveStatus }>;
}

/** What the live documents of a client are built on (the client passes it). */
export interface LiveHost extends LiveCacheHost {
  /** Where edits are queued; it alone sends them. */
  readonly outbox: Outbox;
  /** The client's replica id (its clock's node id); random when absent. */
  readonly nodeId?: string | undefined;
  /** Counts reconnect attempts (metrics). */
  readonly onReconnect?: (() => void) | undefined;
}

/**
 * What `createClient({ live })` takes: {@link liveDocuments}. A separate value rather than built in,
 * so a client that never opens a live document does not bundle the code for it.
 */
export interface LiveDocuments {
  (host: LiveHost): LiveRegistry;
  /**
   * The same live documents plus optional document types, e.g.
   * `liveDocuments.with(yjsDocuments)` (from `rxsync/yjs`) for `type: 'yjs'`: only apps that
   * register a type carry its library.
   */
  with(...extensions: readonly LiveDocExtension[]): LiveDocuments;
}

/**
 * Live documents for a client: pass it as `createClient({ outbox, live: liveDocuments })` to enable
 * `client.live(...)`. (Called by the client: one registry per client, edits queued in its outbox,
 * each open document an entry of its query cache.)
 *
 * @example
 * ```ts
 * const client = createClient({ outbox, live: liveDocuments });
 * const card = client.live({ room: 'board', doc: 'card-1', type: 'lww-map', transport });
 * ```
 */
export const liveDocuments: LiveDocuments = /* @__PURE__ */ withExtensions([]);

function withExtensions(extensions: readonly LiveDocExtension[]): LiveDocuments {
  const create = (host: LiveHost): LiveRegistry => createLiveRegistry(host, extensions);
  return Object.assign(create, { with: (...more: readonly LiveDocExtension[]) => withExtensions([...extensions, ...more]) });
}

function createLiveRegistry(host: LiveHost, extensions: readonly LiveDocExtension[]): LiveRegistry {
  // Saved replicas and queued edits of these types decode through their kinds (client and hub alike).
  for (const extension of extensions) {
    registerDocKind(extension.type, extension.kind);
    if (extension.replica !== undefined) registerReplica(extension.type, extension.replica.bind(extension) as never);
  }
  const { outbox, onReconnect } = host;
  const clock = createHlc({ nodeId: host.nodeId ?? randomId() });
  const links = new Map<string, RoomLink>();
  // One cache entry per open document, shared by its handles.
  const entries = new Map<string, { entry: LiveEntry; users: number }>();
  // Edits queued for a room whose link does not exist yet (opened later, e.g. after a reload).
  const waiting = new Map<string, Array<() => void>>();

  const opened = new Subject<RoomLink>();
  const statusOf = (link: RoomLink, skipCurrent: boolean) =>
    link.status$.pipe(
      distinctUntilChanged(sameLiveStatus), // a transport's retry count changes nothing the room reports
      skip(skipCurrent ? 1 : 0),
      map((status) => ({ room: link.room, status })),
    );
  // Rooms open now report changes only; rooms opened later report from their first status on.
  const connections$ = defer(() =>
    merge(...[...links.values()].map((link) => statusOf(link, true)), opened.pipe(mergeMap((link) => statusOf(link, false)))),
  );

  // Edits being queued: an op goes out only once its edit is pending under its op id.
  const enqueuing = new Set<Promise<unknown>>();

  const sender: OutboxSender = async (op, context) => {
    if (enqueuing.size > 0) await Promise.allSettled([...enqueuing]);
    let payload;
    try {
      payload = checkLivePayload(op.payload, op.id);
    } catch (error) {
      const cause = error as RxSyncError;
      throw new RefusedError(cause.code, cause.message, { cause });
    }
    const link = links.get(payload.room) ?? (await linkFor(payload.room, context.signal));
    await link.deliver({ id: op.id, doc: payload.doc, type: payload.type, body: payload.body }, context.signal);
  };
  // The only sender of live edits; a window of ops in flight per room, acks settling them in order.
  outbox.register(LIVE_OP, sender, { window: 256 });
  // Edits other tabs queue show here at once (errors go nowhere better than a dropped preview).
  showPeerEdits(outbox, links, () => undefined);

  function linkFor(room: string, abort: AbortSignal): Promise<RoomLink> {
    return new Promise((resolve, reject) => {
      const list = waiting.get(room) ?? [];
      const onLink = (): void => {
        abort.removeEventListener('abort', onAbort);
        resolve(links.get(room) as RoomLink);
      };
      const onAbort = (): void => {
        list.splice(list.indexOf(onLink), 1);
        reject(new RxSyncError('E_ABORTED', `Delivery to room "${room}" was cancelled`));
      };
      list.push(onLink);
      waiting.set(room, list);
      abort.addEventListener('abort', onAbort, { once: true });
    });
  }

  function entryFor(room: string, doc: string, replica: DocReplica<DocType>, link: RoomLink): LiveEntry {
    const id = `${room}\u0000${doc}`;
    let shared = entries.get(id);
    if (shared === undefined) {
      shared = { entry: bindLiveEntry(host, room, doc, replica, link), users: 0 };
      entries.set(id, shared);
    }
    shared.users++;
    const { entry } = shared;
    let released = false;
    return {
      state$: entry.state$,
      release() {
        if (released) return;
        released = true;
        if (--shared.users > 0) return;
        entries.delete(id);
        entry.release();
      },
    };
  }

  function open(options: LiveOptions<DocType>): ReturnType<typeof createDoc> {
    checkOptions('client.live', options, liveOptionSpec);
    const { room, doc, type, transport, codec, storage, schema, snapshotEvery } = options ?? ({} as LiveOptions<DocType>);
    const fail = (message: string): never => {
      throw new RxSyncError('E_OPTION_INVALID', `client.live: ${message}`);
    };
    if (!isRoomName(room)) fail('`room` must be 1-128 characters of A-Z a-z 0-9 _ . : @ -');
    if (!isDocName(doc)) fail('`doc` must be 1-128 characters of A-Z a-z 0-9 _ . : @ -');
    if (!isDocType(type)) fail(`\`type\` must be one of ${DOC_TYPES.join(', ')}`);
    if (transport === undefined || typeof transport.send !== 'function') fail('`transport` is required');
    if (type === 'yjs' && !extensions.some((extension) => extension.type === type)) throw unavailable(type);
    if (type === 'yjs' && schema !== undefined) fail('a `yjs` document takes no `schema`');
    if (snapshotEvery !== undefined && !(Number.isSafeInteger(snapshotEvery) && snapshotEvery >= 0)) {
      fail('`snapshotEvery` must be an integer >= 0');
    }
    if (schema !== undefined && !isStandardSchema(schema))
      fail('`schema` must be a Standard Schema (zod, valibot, arktype…): it has no `~standard.validate`');
    let link = links.get(room);
    if (link !== undefined && link.transport !== transport) {
      fail(`room "${room}" is already connected through another transport; use fallback() to offer several`);
    }
    if (link !== undefined && link.codec !== codec) fail(`room "${room}" is already open with a different codec`);
    if (link !== undefined && storage !== undefined && link.storage !== storage)
      fail(`room "${room}" is already open with another storage`);
    if (link === undefined) {
      link = new RoomLink(room, transport, {
        outbox,
        clock,
        ...(onReconnect !== undefined ? { onReconnect } : {}),
        ...(codec !== undefined ? { codec } : {}),
        ...(storage !== undefined ? { storage } : {}),
        ...(snapshotEvery !== undefined ? { snapshotEvery } : {}),
      });
      links.set(room, link);
      opened.next(link);
      const waiters = waiting.get(room);
      waiting.delete(room);
      waiters?.forEach((wake) => wake());
    }
    const check = schema === undefined ? undefined : schemaCheck(schema);
    const replica = link.doc(doc, type, check === undefined ? {} : { validate: check });
    const entry = entryFor(room, doc, replica, link);
    // `type` and `replica` match (the link keys replicas by type): the union is rebuilt from them.
    const parts = { room, doc, type, replica, link, outbox, clock, check, entry, enqueuing } as AnyDocParts;
    return createDoc(parts, extensions);
  }

  // The overloads of OpenLive type the document from its options; `open` builds the right class.
  return { clock, open: open as OpenLive, connections$ };
}
