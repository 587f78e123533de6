import { RxSyncError } from '../errors.js';
import type { Json } from '../crdt/json.js';
import { isDocName, isRoomName } from '../protocol/names.js';
import { isDocType, type DocType } from '../crdt/docTypes.js';

/** Name of the outbox ops that carry live-document edits. */
export const LIVE_OP = 'rxsync:live';

/** The outbox scope of a room's edits: one scope per room keeps each room's edits in order. */
export function liveScope(room: string): string {
  return `live:${room}`;
}

/** What a live edit stores in the outbox: enough to send it after a reload, with no closure. */
export interface LiveOpPayload {
  readonly room: string;
  readonly doc: string;
  readonly type: DocType;
  /** The encoded CRDT delta. */
  readonly body: Json;
}

/**
 * Checks a payload read back from the outbox (storage is input like any other). Throws
 * `E_OUTBOX_CORRUPT` naming the field; the body itself is checked by the document type's decoder.
 */
export function checkLivePayload(value: unknown, opId: string): LiveOpPayload {
  const fail = (field: string): never => {
    throw new RxSyncError('E_OUTBOX_CORRUPT', `Live op ${opId}: ${field} is missing or invalid`, { details: { id: opId, field } });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('payload');
  const record = value as Record<string, unknown>;
  if (!isRoomName(record['room'])) fail('room');
  if (!isDocName(record['doc'])) fail('doc');
  if (!isDocType(record['type'])) fail('type');
  if (!Object.hasOwn(record, 'body')) fail('body');
  return value as LiveOpPayload;
}
