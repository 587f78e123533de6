import { RxSyncError } from '../lib/errors.js';
import { isDocType } from '../lib/crdt/docTypes.js';
import type { Json } from '../lib/crdt/json.js';
import type { HubOp } from '../lib/protocol/hubMessages.js';
import type { LoggedOp, RoomSnapshot, SnapshotDoc } from './opLog.js';

// Rows come from a database other processes (and people) write to: every field is checked before
// it reaches the hub, and a bad one is an E_LOG_READ naming the room and seq, never a crash.

function damaged(room: string, what: string, seq?: number | string, cause?: unknown): RxSyncError {
  const where = seq === undefined ? '' : ` at seq ${seq}`;
  return new RxSyncError('E_LOG_READ', `Op log of room ${room}${where}: ${what}`, {
    cause,
    details: seq === undefined ? { room } : { room, seq },
  });
}

/** A `bigint` column as a number: `pg` returns int8 as a string so that no digit is lost. */
export function toCount(room: string, value: unknown, what: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw damaged(room, `${what} is not a whole number ≥ 0`);
  return n;
}

function parseJson(room: string, text: unknown, what: string, seq?: number): unknown {
  if (typeof text !== 'string') throw damaged(room, `${what} is not text`, seq);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw damaged(room, `${what} is not JSON`, seq, error);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The text stored for `op`: its JSON, which keeps key order and keys such as `__proto__` as sent. */
export function storedOp(op: HubOp): string {
  return JSON.stringify({ id: op.id, doc: op.doc, type: op.type, body: op.body });
}

/** One row of `ops` (`seq, op_id, op`) as a {@link LoggedOp}, after checking every field. */
export function loggedOpOf(room: string, row: unknown): LoggedOp {
  if (!isRecord(row)) throw damaged(room, 'an op row is not a row');
  const seq = toCount(room, row['seq'], 'an op seq');
  if (seq === 0) throw damaged(room, 'an op has seq 0', seq);
  const op = parseJson(room, row['op'], 'the op', seq);
  if (!isRecord(op)) throw damaged(room, 'the op is not an object', seq);
  const { id, doc, type, body } = op;
  if (typeof id !== 'string' || id !== row['op_id']) throw damaged(room, 'the op id does not match its row', seq);
  if (typeof doc !== 'string') throw damaged(room, 'the op has no document name', seq);
  if (!isDocType(type)) throw damaged(room, 'the op has an unknown type', seq);
  if (body === undefined) throw damaged(room, 'the op has no body', seq);
  // JSON.parse only makes JSON values, so `body` is Json once it is present.
  return { seq, op: { id, doc, type, body: body as Json } };
}

/** A `snapshots` row (`seq, docs`) as a {@link RoomSnapshot}, after checking every document. */
export function snapshotOf(room: string, row: unknown): RoomSnapshot {
  if (!isRecord(row)) throw damaged(room, 'the snapshot row is not a row');
  const seq = toCount(room, row['seq'], 'the snapshot seq');
  const docs = parseJson(room, row['docs'], 'the snapshot', seq);
  if (!Array.isArray(docs)) throw damaged(room, 'the snapshot is not a list', seq);
  const checked = docs.map((entry: unknown): SnapshotDoc => {
    if (!isRecord(entry) || typeof entry['doc'] !== 'string' || !isDocType(entry['type']) || entry['state'] === undefined) {
      throw damaged(room, 'a snapshot document is not { doc, type, state }', seq);
    }
    return { doc: entry['doc'], type: entry['type'], state: entry['state'] as Json };
  });
  return { seq, docs: checked };
}
