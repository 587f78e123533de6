import type { Json } from '../../crdt/json.js';
import { RxSyncError } from '../../errors.js';
import { isDocName } from '../../protocol/names.js';
import type { Storage } from '../../storage/storage.js';
import { docKindFor, isDocType, type DocStates, type DocType } from '../../crdt/docTypes.js';

/** One document of a saved room replica, decoded and validated. */
export interface SavedDoc {
  readonly doc: string;
  readonly type: DocType;
  readonly state: DocStates[DocType];
}

/** A room replica as saved: the confirmed state of each document and the sequence it covers. */
export interface SavedReplica {
  readonly lastSeq: number;
  readonly docs: readonly SavedDoc[];
}

interface StoredReplica {
  readonly v: 1;
  readonly lastSeq: number;
  readonly docs: readonly { readonly doc: string; readonly type: DocType; readonly state: Json }[];
}

/** Storage key of a room's replica. */
export function replicaKey(room: string): string {
  return `rxsync:live:${room}`;
}

/**
 * Reads a saved replica back, validating everything (storage is input like the network): `undefined`
 * when nothing was saved; `E_STORAGE_CORRUPT` naming the problem when the record is damaged.
 */
export async function loadReplica(storage: Storage, room: string): Promise<SavedReplica | undefined> {
  const key = replicaKey(room);
  const value = await storage.get<unknown>(key);
  if (value === undefined) return undefined;
  const corrupt = (problem: string, cause?: unknown): never => {
    throw new RxSyncError('E_STORAGE_CORRUPT', `Saved live room ${key}: ${problem}`, { cause, details: { key } });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return corrupt('not an object');
  const record = value as Partial<StoredReplica>;
  if (record.v !== 1) corrupt('unknown version');
  const { lastSeq, docs } = record;
  if (typeof lastSeq !== 'number' || !Number.isSafeInteger(lastSeq) || lastSeq < 0) return corrupt('lastSeq is not a sequence number');
  if (!Array.isArray(docs)) return corrupt('docs is not an array');
  return {
    lastSeq,
    docs: docs.map((entry: unknown, i) => {
      const { doc, type, state } = (entry ?? {}) as Partial<StoredReplica['docs'][number]>;
      if (!isDocName(doc) || !isDocType(type)) return corrupt(`docs[${i}] needs a document name and type`);
      try {
        return { doc, type, state: docKindFor(type).decode(state) };
      } catch (error) {
        return corrupt(`docs[${i}] (${doc}) does not decode`, error);
      }
    }),
  };
}

/** Saves a room replica (one record per room, replaced whole). */
export function saveReplica(storage: Storage, room: string, replica: SavedReplica): Promise<void> {
  const stored: StoredReplica = {
    v: 1,
    lastSeq: replica.lastSeq,
    docs: replica.docs.map(({ doc, type, state }) => ({
      doc,
      type,
      state: (docKindFor(type).encode as (s: DocStates[DocType]) => Json)(state),
    })),
  };
  return storage.set(replicaKey(room), stored);
}
