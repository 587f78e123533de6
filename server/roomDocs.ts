import { RxSyncError } from '../lib/errors.js';
import { docKindOf, type DocType } from '../lib/crdt/docTypes.js';
import type { SnapshotDoc } from './opLog.js';

interface DocEntry {
  readonly type: DocType;
  state: unknown;
  /** States not merged yet, for kinds that merge many at once (see `DocKind.mergeMany`). */
  pending?: unknown[];
}

/** States held back per document before they are folded anyway (bounds memory between reads). */
const MAX_PENDING = 256;

/** The entry's state with its held-back states folded in. */
function settled(entry: DocEntry): unknown {
  if (entry.pending !== undefined && entry.pending.length > 0) {
    const kind = docKindOf(entry.type);
    entry.state = kind.mergeMany!([entry.state, ...entry.pending]);
    entry.pending.length = 0;
  }
  return entry.state;
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
    else if (kind.mergeMany === undefined) entry.state = kind.merge(entry.state, state);
    else {
      // A Yjs merge costs the whole document: one fold per read (or per MAX_PENDING ops), not per op.
      (entry.pending ??= []).push(state);
      if (entry.pending.length >= MAX_PENDING) settled(entry);
    }
  }

  /** What `doc` shows the app, or `undefined` when it does not exist. */
  value(doc: string): { type: DocType; value: unknown } | undefined {
    const entry = this.docs.get(doc);
    return entry === undefined ? undefined : { type: entry.type, value: docKindOf(entry.type).value(settled(entry)) };
  }

  /** Every document encoded, for a snapshot. */
  encode(): SnapshotDoc[] {
    return [...this.docs].map(([doc, entry]) => ({ doc, type: entry.type, state: docKindOf(entry.type).encode(settled(entry)) }));
  }
}
