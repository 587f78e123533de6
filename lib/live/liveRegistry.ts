import { createHlc, type Hlc } from '../crdt/hlc.js';
import { RxSyncError } from '../errors.js';
import type { Outbox, OutboxSender } from '../outbox/outbox.js';
import { isDocName, isRoomName } from '../protocol/names.js';
import { randomId } from '../randomId.js';
import { isDocType, type DocType } from '../crdt/docTypes.js';
import { LiveDocHandle, type LiveDocs } from './liveDoc.js';
import { LIVE_OP, checkLivePayload } from './liveOp.js';
import { RefusedError } from '../outbox/refusedError.js';
import type { LiveTransport } from './liveTransport.js';
import { showPeerEdits } from './peerEdits.js';
import { RoomLink, type LiveCodec } from './roomLink.js';
import type { Storage } from '../storage/storage.js';
import { checkOptions } from '../options/checkOptions.js';
import { liveOptionSpec } from '../options/specs.js';

/** Options of `client.live`. */
export interface LiveOptions<T extends DocType> {
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
}

/** The live documents of one client: one {@link RoomLink} per room, one clock, one outbox sender. */
export interface LiveRegistry {
  open<T extends DocType>(options: LiveOptions<T>): LiveDocs[T];
  /** This client's clock (its node id stamps every edit). */
  readonly clock: Hlc;
}

/**
 * What `createClient({ live })` takes: {@link liveDocuments}. A separate value rather than built in,
 * so a client that never opens a live document does not bundle the code for it.
 */
export type LiveDocuments = (outbox: Outbox, nodeId?: string, onReconnect?: () => void) => LiveRegistry;

/**
 * Live documents for a client: pass it as `createClient({ outbox, live: liveDocuments })` to enable
 * `client.live(...)`. (Called by the client: one registry per client, edits queued in `outbox`,
 * `onReconnect` counting reconnect attempts for metrics.)
 *
 * @example
 * ```ts
 * const client = createClient({ outbox, live: liveDocuments });
 * const card = client.live({ room: 'board', doc: 'card-1', type: 'lww-map', transport });
 * ```
 */
export const liveDocuments: LiveDocuments = createLiveRegistry;

function createLiveRegistry(outbox: Outbox, nodeId: string = randomId(), onReconnect?: () => void): LiveRegistry {
  const clock = createHlc({ nodeId });
  const links = new Map<string, RoomLink>();
  // Edits queued for a room whose link does not exist yet (opened later, e.g. after a reload).
  const waiting = new Map<string, Array<() => void>>();

  const sender: OutboxSender = async (op, context) => {
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

  return {
    clock,
    open<T extends DocType>(options: LiveOptions<T>): LiveDocs[T] {
      checkOptions('client.live', options, liveOptionSpec);
      const { room, doc, type, transport, codec, storage } = options ?? ({} as LiveOptions<T>);
      const fail = (message: string): never => {
        throw new RxSyncError('E_OPTION_INVALID', `client.live: ${message}`);
      };
      if (!isRoomName(room)) fail('`room` must be 1-128 characters of A-Z a-z 0-9 _ . : @ -');
      if (!isDocName(doc)) fail('`doc` must be 1-128 characters of A-Z a-z 0-9 _ . : @ -');
      if (!isDocType(type)) fail('`type` must be one of lww-map, lww-register, mv-register, pn-counter, or-set');
      if (transport === undefined || typeof transport.send !== 'function') fail('`transport` is required');
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
        });
        links.set(room, link);
        const waiters = waiting.get(room);
        waiting.delete(room);
        waiters?.forEach((wake) => wake());
      }
      const replica = link.doc(doc, type);
      return new LiveDocHandle(room, doc, type, replica, link, outbox, clock) as unknown as LiveDocs[T];
    },
  };
}
