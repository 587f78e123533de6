import { RxSyncError } from '../errors.js';
import type { Json } from '../crdt/json.js';
import { assertJson } from '../crdt/json.js';
import { isDocType, type DocType } from '../crdt/docTypes.js';
import { MAX_TOKEN_LENGTH, OP_ID_RULE, ROOM_NAME_RULE, isDocName, isOpId, isRoomName } from './names.js';

/**
 * Messages between clients and the sync hub. They travel as the `data` of protocol frames: ops the
 * hub broadcasts carry the frame's `seq` (the room's sequence number, so clients resume exactly),
 * everything else is connection-scoped. `PROTOCOL.md` documents each one.
 *
 * Over 300 lines on purpose: this is the catalogue of the room protocol, each message's type next to
 * its validator, so a change to one message is one place to read against PROTOCOL.md.
 */

/** Error code of a well-formed frame whose hub message is not valid. */
export const MESSAGE_INVALID = 'E_MESSAGE_INVALID';

/**
 * One edit of one document: an encoded CRDT delta (`body`), or for an end-to-end room an opaque
 * encrypted envelope (a string) the hub stores and forwards without reading.
 */
export interface HubOp {
  /** Unique id chosen by the writer: the hub applies an id once and acks it every time. */
  readonly id: string;
  readonly doc: string;
  readonly type: DocType;
  readonly body: Json;
}

/** Client → hub: ops to apply (acked by id once durable). */
export interface OpsMessage {
  readonly kind: 'ops';
  readonly ops: readonly HubOp[];
}

/** Client → hub: this connection's presence state (cursor, name, colour…), `null` to clear it. */
export interface SetPresenceMessage {
  readonly kind: 'presence';
  readonly state: Json;
}

/** Client → hub: a fresh token for this session (the answer to `refresh`); the session goes on without a new hello. */
export interface TokenMessage {
  readonly kind: 'token';
  readonly token: string;
}

/**
 * Client → hub, end-to-end rooms only: the sealed state of every document as of op `seq`, which the
 * hub cannot read but stores as the room's snapshot, so a new client starts from it instead of
 * replaying the whole log. Each `state` is an envelope (a string).
 */
export interface SealedSnapshotMessage {
  readonly kind: 'snapshot';
  readonly seq: number;
  readonly docs: readonly { readonly doc: string; readonly type: DocType; readonly state: string }[];
}

/** What a client may send to the hub. */
export type ClientMessage = OpsMessage | SetPresenceMessage | TokenMessage | SealedSnapshotMessage;

/** Hub → client, first answer to an accepted hello. */
export interface WelcomeMessage {
  readonly kind: 'welcome';
  readonly room: string;
  /** This connection's peer id in presence messages. */
  readonly peer: string;
  /** The room's latest sequence number when the client joined. */
  readonly head: number;
  /** Whether the room is end-to-end encrypted (op bodies are opaque to the hub). */
  readonly e2e: boolean;
  /** What this connection may send; a client keeps under it. Absent from hubs before it was added. */
  readonly limits?: WelcomeLimits;
}

/** The limits a hub announces in its welcome, so a client can pace itself instead of being closed. */
export interface WelcomeLimits {
  /** Sustained frames per second (every inbound frame counts: pings, pongs and presence too). */
  readonly messagesPerSecond: number;
  /** Frames allowed in a burst (the size of the hub's token bucket). */
  readonly burst: number;
  /** Most ops in one `ops` message. */
  readonly opsPerMessage: number;
  /** Largest frame, in bytes of UTF-8. */
  readonly maxFrameBytes: number;
}

/** Compacted state of every document up to `seq`, sent instead of replaying that much history. */
export interface SnapshotMessage {
  readonly kind: 'snapshot';
  readonly seq: number;
  readonly docs: readonly { readonly doc: string; readonly type: DocType; readonly state: Json }[];
}

/** A sequenced op (the frame's `seq` is its position in the room's log). */
export interface OpMessage {
  readonly kind: 'op';
  readonly op: HubOp;
}

/**
 * Hub → client, end-to-end rooms: the room's newest sealed snapshot covers ops up to `seq` (sent
 * after the join's replay and whenever a client stores a newer one), so clients know when the log
 * since it has grown long enough to seal another.
 */
export interface SnapshottedMessage {
  readonly kind: 'snapshotted';
  readonly seq: number;
}

/** Ops now durable in the hub's log (or seen before): the writer may forget them. */
export interface AckMessage {
  readonly kind: 'ack';
  readonly ids: readonly string[];
}

/** Ops the hub refused for good (invalid body, wrong type for the document): never retry them. */
export interface RejectMessage {
  readonly kind: 'reject';
  readonly ids: readonly string[];
  readonly code: string;
  readonly message: string;
}

/** Presence of one peer. */
export interface PeerPresence {
  readonly peer: string;
  readonly state: Json;
  /** Who the hub authenticated the peer as, when `authenticate` names a principal. */
  readonly principal?: string;
}

/** Hub → client after the welcome: everyone present in the room. */
export interface PeersMessage {
  readonly kind: 'peers';
  readonly peers: readonly PeerPresence[];
}

/** A peer joined or changed its presence state. */
export interface PeerMessage extends PeerPresence {
  readonly kind: 'peer';
}

/** A peer left (said goodbye, disconnected, or timed out). */
export interface LeftMessage {
  readonly kind: 'left';
  readonly peer: string;
}

/**
 * Hub → client: the session's token expires in `expiresIn` ms; send a fresh one (`token`) before,
 * or the hub closes the session (4401). The rxsync transports answer it themselves.
 */
export interface RefreshMessage {
  readonly kind: 'refresh';
  readonly expiresIn: number;
}

/** What the hub may send to a client. */
export type HubMessage =
  | WelcomeMessage
  | SnapshotMessage
  | SnapshottedMessage
  | OpMessage
  | AckMessage
  | RejectMessage
  | PeersMessage
  | PeerMessage
  | LeftMessage
  | RefreshMessage;

/** Bounds applied while validating; the hub passes its configured limits. */
export interface MessageLimits {
  /** Most ops in one `ops` message. Default 512. */
  maxOpsPerMessage?: number;
}

const DEFAULT_MAX_OPS = 512;
/** Most documents in one sealed snapshot. */
export const MAX_SNAPSHOT_DOCS = 1024;

function invalid(reason: string, details: Record<string, unknown> = {}): RxSyncError {
  return new RxSyncError(MESSAGE_INVALID, `Invalid hub message: ${reason}`, { details });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function json(path: string, value: unknown): Json {
  try {
    assertJson('hub message', path, value);
  } catch (error) {
    throw invalid(`${path} is not JSON data`, { cause: String(error) });
  }
  return value;
}

function checkOp(value: unknown, index: number): HubOp {
  const at = `ops[${index}]`;
  if (!isRecord(value)) throw invalid(`${at} is not an object`);
  const id = own(value, 'id');
  const doc = own(value, 'doc');
  const type = own(value, 'type');
  if (!isOpId(id)) throw invalid(`${at}.id must be ${OP_ID_RULE}`);
  if (!isDocName(doc)) throw invalid(`${at}.doc must be ${ROOM_NAME_RULE}`);
  if (!isDocType(type))
    throw invalid(`${at}.type must be a document type`, { type: typeof type === 'string' ? type.slice(0, 40) : typeof type });
  if (!Object.hasOwn(value, 'body')) throw invalid(`${at}.body is missing`);
  return { id, doc, type, body: json(`${at}.body`, value['body']) };
}

/**
 * Validates what a client sent (the `data` of a frame) and returns a fresh message holding only
 * the known fields. Throws `E_MESSAGE_INVALID` naming the problem. Op bodies are checked to be JSON
 * here; whether they are a valid CRDT delta is the document type's `decode` to say.
 */
export function parseClientMessage(data: unknown, limits: MessageLimits = {}): ClientMessage {
  if (!isRecord(data)) throw invalid('not an object');
  const kind = own(data, 'kind');
  switch (kind) {
    case 'ops': {
      const ops = own(data, 'ops');
      if (!Array.isArray(ops) || ops.length === 0) throw invalid('`ops` must be a non-empty array');
      const max = limits.maxOpsPerMessage ?? DEFAULT_MAX_OPS;
      if (ops.length > max) throw invalid(`more than ${max} ops in one message`, { count: ops.length });
      return { kind, ops: ops.map(checkOp) };
    }
    case 'presence':
      if (!Object.hasOwn(data, 'state')) throw invalid('presence without `state`');
      return { kind, state: json('state', data['state']) };
    case 'token': {
      const token = own(data, 'token');
      if (typeof token !== 'string' || token === '' || token.length > MAX_TOKEN_LENGTH) {
        throw invalid(`\`token\` must be a string of 1 to ${MAX_TOKEN_LENGTH} characters`);
      }
      return { kind, token };
    }
    case 'snapshot':
      return sealedSnapshot(data);
    default:
      throw invalid('unknown message kind', { kind: typeof kind === 'string' ? kind.slice(0, 40) : typeof kind });
  }
}

function sealedSnapshot(data: Record<string, unknown>): SealedSnapshotMessage {
  const seq = own(data, 'seq');
  const docs = own(data, 'docs');
  if (!isSeq(seq) || seq === 0) throw invalid('snapshot needs `seq`, a positive integer');
  if (!Array.isArray(docs) || docs.length === 0 || docs.length > MAX_SNAPSHOT_DOCS) {
    throw invalid(`snapshot needs \`docs\`, 1 to ${MAX_SNAPSHOT_DOCS} entries`);
  }
  const names = new Set<string>();
  return {
    kind: 'snapshot',
    seq,
    docs: docs.map((entry: unknown, i) => {
      if (!isRecord(entry)) throw invalid(`docs[${i}] is not an object`);
      const doc = own(entry, 'doc');
      const type = own(entry, 'type');
      const state = own(entry, 'state');
      if (!isDocName(doc)) throw invalid(`docs[${i}].doc must be ${ROOM_NAME_RULE}`);
      if (names.has(doc)) throw invalid(`docs[${i}].doc repeats a document`);
      names.add(doc);
      if (!isDocType(type)) throw invalid(`docs[${i}].type must be a document type`);
      if (typeof state !== 'string' || state === '') throw invalid(`docs[${i}].state must be a sealed envelope (a string)`);
      return { doc, type, state };
    }),
  };
}

function stringList(record: Record<string, unknown>, key: string): string[] {
  const list = own(record, key);
  if (!Array.isArray(list) || !list.every(isOpId)) throw invalid(`\`${key}\` must be an array of op ids`);
  return list as string[];
}

function presence(record: Record<string, unknown>, at: string): PeerPresence {
  const peer = own(record, 'peer');
  const principal = own(record, 'principal');
  if (!isOpId(peer)) throw invalid(`${at}.peer must be ${OP_ID_RULE}`);
  if (principal !== undefined && typeof principal !== 'string') throw invalid(`${at}.principal must be a string`);
  const state = json(`${at}.state`, own(record, 'state') ?? null);
  return principal === undefined ? { peer, state } : { peer, state, principal };
}

/**
 * Validates one peer's presence as `peers` and `peer` messages carry it, for other carriers of
 * presence (the hubs' bus). Throws `E_MESSAGE_INVALID` naming `at` and the problem.
 */
export function parsePeerPresence(value: unknown, at: string): PeerPresence {
  if (!isRecord(value)) throw invalid(`${at} is not an object`);
  return presence(value, at);
}

/**
 * Validates what the hub sent (the `data` of a frame). Clients trust nothing from the network
 * either: a bad message is refused with `E_MESSAGE_INVALID`, never half-applied.
 */
export function parseHubMessage(data: unknown): HubMessage {
  if (!isRecord(data)) throw invalid('not an object');
  const kind = own(data, 'kind');
  switch (kind) {
    case 'op':
      return { kind, op: checkOp(own(data, 'op'), 0) };
    case 'ack':
      return { kind, ids: stringList(data, 'ids') };
    case 'reject': {
      const code = own(data, 'code');
      const message = own(data, 'message');
      if (typeof code !== 'string' || typeof message !== 'string') throw invalid('reject needs string `code` and `message`');
      return { kind, ids: stringList(data, 'ids'), code, message };
    }
    case 'welcome': {
      const room = own(data, 'room');
      const peer = own(data, 'peer');
      const head = own(data, 'head');
      const e2e = own(data, 'e2e');
      if (!isRoomName(room) || !isOpId(peer) || !isSeq(head) || typeof e2e !== 'boolean') {
        throw invalid('welcome needs `room`, `peer`, `head` and `e2e`');
      }
      const limits = own(data, 'limits');
      if (limits === undefined) return { kind, room, peer, head, e2e };
      return { kind, room, peer, head, e2e, limits: welcomeLimits(limits) };
    }
    case 'snapshot': {
      const seq = own(data, 'seq');
      const docs = own(data, 'docs');
      if (!isSeq(seq) || !Array.isArray(docs)) throw invalid('snapshot needs `seq` and `docs`');
      return {
        kind,
        seq,
        docs: docs.map((entry: unknown, i) => {
          if (!isRecord(entry) || !isDocName(own(entry, 'doc')) || !isDocType(own(entry, 'type'))) {
            throw invalid(`docs[${i}] needs a \`doc\` name and a \`type\``);
          }
          return { doc: entry['doc'] as string, type: entry['type'] as DocType, state: json(`docs[${i}].state`, own(entry, 'state')) };
        }),
      };
    }
    case 'peers': {
      const peers = own(data, 'peers');
      if (!Array.isArray(peers)) throw invalid('`peers` must be an array');
      return {
        kind,
        peers: peers.map((p: unknown, i) => {
          if (!isRecord(p)) throw invalid(`peers[${i}] is not an object`);
          return presence(p, `peers[${i}]`);
        }),
      };
    }
    case 'peer':
      return { kind, ...presence(data, 'peer') };
    case 'left': {
      const peer = own(data, 'peer');
      if (!isOpId(peer)) throw invalid(`left.peer must be ${OP_ID_RULE}`);
      return { kind, peer };
    }
    case 'snapshotted': {
      const seq = own(data, 'seq');
      if (!isSeq(seq)) throw invalid('snapshotted needs `seq`');
      return { kind, seq };
    }
    case 'refresh': {
      const expiresIn = own(data, 'expiresIn');
      if (!isSeq(expiresIn)) throw invalid('refresh needs `expiresIn`, an integer number of ms >= 0');
      return { kind, expiresIn };
    }
    default:
      throw invalid('unknown message kind', { kind: typeof kind === 'string' ? kind.slice(0, 40) : typeof kind });
  }
}

/** Whether a hub message (a data frame's `data`) asks for a fresh token: checked by transports before the app sees it. */
export function isRefreshRequest(data: unknown): boolean {
  return isRecord(data) && own(data, 'kind') === 'refresh';
}

const LIMIT_FIELDS = ['messagesPerSecond', 'burst', 'opsPerMessage', 'maxFrameBytes'] as const;

function welcomeLimits(value: unknown): WelcomeLimits {
  if (!isRecord(value)) throw invalid('welcome.limits must be an object');
  const out: Record<string, number> = {};
  for (const field of LIMIT_FIELDS) {
    const n = own(value, field);
    if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) throw invalid(`welcome.limits.${field} must be a positive number`);
    out[field] = n;
  }
  return out as unknown as WelcomeLimits;
}

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
