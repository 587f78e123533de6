import { RxSyncError } from '../lib/errors.js';
import { docKindOf, type DocType } from '../lib/crdt/docTypes.js';
import type { SnapshotDoc } from './opLog.js';

interface DocEntry {
  readonly type: DocType;
  state: unknown;
}

/**
 * The merged CRDT state of every document of one room, each with its type (fixed by the first op
 * that created it). Only decoded, validated states ever get here.
 */
export class RoomDocs {
  private readonly docs = new Map<string, DocEntry>();

  /** Rebuilds the documents of a snapshot, validating each stored state. */
  static fromSnapshot(room: string, docs: readonly SnapshotDoc[]): RoomDocs {
    const result = new RoomDocs();
    for (const entry of docs) {
      try {
        result.docs.set(entry.doc, { type: entry.type, state: docKindOf(entry.type).decode(entry.state) });
      } catch (error) {
        throw new RxSyncError('E_LOG_READ', `Snapshot of room ${room}: document ${entry.doc} is damaged`, { cause: error });
      }
    }
    return result;
  }

  /** The type of `doc`, if it exists. */
  typeOf(doc: string): DocType | undefined {
    return this.docs.get(doc)?.type;
  }

  /** Merges a decoded state into `doc` (creating it with `type`). The caller checked the type. */
  apply(doc: string, type: DocType, state: unknown): void {
    const kind = docKindOf(type);
    const entry = this.docs.get(doc);
    if (entry === undefined) this.docs.set(doc, { type, state });
    else entry.state = kind.merge(entry.state, state);
  }

  /** What `doc` shows the app, or `undefined` when it does not exist. */
  value(doc: string): { type: DocType; value: unknown } | undefined {
    const entry = this.docs.get(doc);
    return entry === undefined ? undefined : { type: entry.type, value: docKindOf(entry.type).value(entry.state) };
  }

  /** Every document encoded, for a snapshot. */
  encode(): SnapshotDoc[] {
    return [...this.docs].map(([doc, entry]) => ({ doc, type: entry.type, state: docKindOf(entry.type).encode(entry.state) }));
  }
}
