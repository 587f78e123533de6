import { RxSyncError } from '../lib/errors.js';
import type { HubOp } from '../lib/protocol/hubMessages.js';
import type { AppendResult, LoggedOp, OpLog, RoomSnapshot } from './opLog.js';

interface MemoryRoom {
  readonly ops: LoggedOp[];
  readonly ids: Set<string>;
  snapshot: RoomSnapshot | undefined;
}

/**
 * An {@link OpLog} in memory: for tests and throwaway hubs. It follows the same contract as the
 * SQLite log (per-room seq, dedupe by op id, append-only) but forgets everything with the process.
 *
 * @example
 * ```ts
 * const hub = createHub({ log: memoryLog() });
 * ```
 */
export function memoryLog(): OpLog {
  const rooms = new Map<string, MemoryRoom>();
  let closed = false;

  const roomOf = (name: string): MemoryRoom => {
    if (closed) throw new RxSyncError('E_LOG_WRITE', 'The op log is closed');
    let room = rooms.get(name);
    if (room === undefined) {
      room = { ops: [], ids: new Set(), snapshot: undefined };
      rooms.set(name, room);
    }
    return room;
  };

  return {
    async append(name: string, ops: readonly HubOp[]): Promise<AppendResult> {
      const room = roomOf(name);
      const applied: LoggedOp[] = [];
      const duplicates: string[] = [];
      for (const op of ops) {
        if (room.ids.has(op.id)) {
          duplicates.push(op.id);
          continue;
        }
        room.ids.add(op.id);
        const logged = { seq: room.ops.length + 1, op };
        room.ops.push(logged);
        applied.push(logged);
      }
      return { applied, duplicates };
    },
    async read(name, afterSeq, limit) {
      const room = roomOf(name);
      // seq n lives at index n - 1: no search needed.
      return room.ops.slice(Math.max(0, afterSeq), Math.max(0, afterSeq) + Math.max(0, limit));
    },
    async head(name) {
      return roomOf(name).ops.length;
    },
    async snapshot(name) {
      return roomOf(name).snapshot;
    },
    async saveSnapshot(name, snapshot) {
      const room = roomOf(name);
      if (snapshot.seq > room.ops.length) {
        throw new RxSyncError('E_LOG_WRITE', `Snapshot at seq ${snapshot.seq} is past the head of room ${name} (${room.ops.length})`);
      }
      room.snapshot = snapshot;
    },
    async close() {
      closed = true;
    },
  };
}
