import type { Json } from '../lib/crdt/json.js';
import type { DocType } from '../lib/crdt/docTypes.js';
import type { HubOp } from '../lib/protocol/hubMessages.js';

/** An op as the log holds it: its position in the room's sequence and the op itself. */
export interface LoggedOp {
  /** 1, 2, 3… per room, without gaps. */
  readonly seq: number;
  readonly op: HubOp;
}

/** One document's encoded CRDT state inside a {@link RoomSnapshot}. */
export interface SnapshotDoc {
  readonly doc: string;
  readonly type: DocType;
  readonly state: Json;
}

/** The state of every document of a room after the op numbered `seq`. */
export interface RoomSnapshot {
  readonly seq: number;
  readonly docs: readonly SnapshotDoc[];
}

/** What {@link OpLog.append} did with a batch. */
export interface AppendResult {
  /** The ops that were new, in batch order, each with the seq it was given. */
  readonly applied: readonly LoggedOp[];
  /** Ids already in the room's log (or repeated within the batch), in batch order: not stored again. */
  readonly duplicates: readonly string[];
}

/**
 * The hub's durable, append-only op log: one sequence per room, ops deduplicated by id within a
 * room, and the latest snapshot per room. The hub calls it from one place per room at a time, so an
 * implementation need not order concurrent appends to the same room.
 *
 * Contract:
 * - `append` is atomic: once its promise resolves every applied op is durable, and after a crash
 *   either all of the batch or none of it is in the log. New ops get `head + 1`, `head + 2`, … in
 *   batch order; an id the room has seen is reported in `duplicates` and changes nothing.
 * - `read` returns ops with `seq > afterSeq` in ascending order, at most `limit` of them.
 * - Ops are never removed: a snapshot only saves replaying them.
 *
 * `memoryLog()` keeps everything in memory (tests); `openSqliteLog()` is the durable default.
 */
export interface OpLog {
  append(room: string, ops: readonly HubOp[]): Promise<AppendResult>;
  read(room: string, afterSeq: number, limit: number): Promise<readonly LoggedOp[]>;
  /** The room's highest seq, 0 for a room with no ops. */
  head(room: string): Promise<number>;
  /** The room's latest snapshot, if one was saved. */
  snapshot(room: string): Promise<RoomSnapshot | undefined>;
  /** Replaces the room's snapshot; `snapshot.seq` must not be above the room's head. */
  saveSnapshot(room: string, snapshot: RoomSnapshot): Promise<void>;
  /** Releases the log (closes the database). Later calls fail. */
  close(): Promise<void>;
}
