import { RxSyncError } from '../errors.js';
import type { Storage, StorageWrite } from '../storage/storage.js';
import { createGroupCommitter } from './groupCommit.js';
import { validateOp, type DeadLetter, type OutboxOp } from './outboxOp.js';

/**
 * The outbox's storage layout. Ops queued together are written as one **segment** record (one
 * storage write for a whole burst, not one per op); an op's end (ack or dead letter) is a small
 * `done` marker, a retry's new attempt count an `upd` record; once every op of a segment is done,
 * the segment and its markers are removed in one batch.
 *
 * ```
 * <prefix>:seg:<first seq>  { v: 1, ops: OutboxOp[] }
 * <prefix>:done:<seq>       1
 * <prefix>:upd:<seq>        OutboxOp (latest attempts / lastError)
 * <prefix>:dead:<id>        DeadLetter
 * ```
 */
export interface OutboxStore {
  /** Reads what earlier sessions left: pending ops in order, and the next free seq. Rejects, changing nothing, on an unreadable record. */
  load(): Promise<{ ops: OutboxOp[]; nextSeq: number }>;
  /** Writes ops as one segment (plus `extra` writes in the same batch); resolves once durable. */
  append(ops: readonly OutboxOp[], extra?: readonly StorageWrite[]): Promise<void>;
  /** Records an op's end (plus `extra` writes, e.g. its dead letter) durably. */
  finish(op: OutboxOp, extra?: readonly StorageWrite[]): Promise<void>;
  /** Records a new attempt count / last error durably. */
  update(op: OutboxOp): Promise<void>;
  /** Writes any storage keys directly (dead-letter bookkeeping). */
  write(writes: readonly StorageWrite[]): Promise<void>;
  /** Resolves when every write requested so far has landed. */
  idle(): Promise<void>;
  deadKey(id: string): string;
}

const pad = (seq: number): string => seq.toString(36).padStart(11, '0');

/**
 * Creates the store over `storage`. Records that read but do not validate are reported through
 * `report` and skipped; a record the backend cannot read at all makes `load` reject, changing nothing.
 */
export function createOutboxStore(storage: Storage, prefix: string, report: (error: RxSyncError) => void): OutboxStore {
  const committer = createGroupCommitter(storage);
  const segKey = (seq: number): string => `${prefix}:seg:${pad(seq)}`;
  const doneKey = (seq: number): string => `${prefix}:done:${pad(seq)}`;
  const updKey = (seq: number): string => `${prefix}:upd:${pad(seq)}`;
  // Which segment each pending op lives in, and how many of each segment's ops are not done yet.
  const segmentOf = new Map<number, number>();
  const segments = new Map<number, { remaining: number; seqs: number[] }>();

  const track = (first: number, seqs: number[], done: (seq: number) => boolean): void => {
    const remaining = seqs.filter((seq) => !done(seq)).length;
    segments.set(first, { remaining, seqs });
    for (const seq of seqs) segmentOf.set(seq, first);
  };

  const cleanUp = (first: number): Promise<void> => {
    const segment = segments.get(first);
    segments.delete(first);
    const writes: StorageWrite[] = [{ type: 'remove', key: segKey(first) }];
    for (const seq of segment?.seqs ?? []) {
      segmentOf.delete(seq);
      writes.push({ type: 'remove', key: doneKey(seq) }, { type: 'remove', key: updKey(seq) });
    }
    return committer.write(writes);
  };

  const corrupt = (key: string, err: unknown): void =>
    report(err instanceof RxSyncError ? err : new RxSyncError('E_OUTBOX_CORRUPT', `Outbox entry ${key} unreadable`, { cause: err }));

  // Keeps the backend's code (E_DECRYPT for a wrong key, E_STORAGE_CORRUPT, …) so apps can tell them apart.
  const unreadable = (key: string, err: unknown): RxSyncError =>
    new RxSyncError(
      err instanceof RxSyncError ? err.code : 'E_STORAGE_READ',
      `The outbox did not load: entry ${key} could not be read from ${storage.name} (${err instanceof Error ? err.message : String(err)}). ` +
        `Nothing was changed; reopen it with the storage (or key) that wrote it`,
      { cause: err, details: { key } },
    );

  return {
    async load() {
      const keys = await storage.keys(`${prefix}:`);
      const seqOf = (key: string, kind: string): number => parseInt(key.slice(prefix.length + kind.length + 2), 36);
      // A record the backend cannot read (a wrong or unknown key, damaged bytes) stops the load:
      // skipping it would let new ops reuse its seqs, or be written under a key that cannot read
      // the rest. Nothing has been written or removed at that point, so the data stays intact.
      const read = async <T>(key: string): Promise<T | undefined> => {
        try {
          return await storage.get<T>(key);
        } catch (err) {
          throw unreadable(key, err);
        }
      };
      const done = new Set(keys.filter((k) => k.startsWith(`${prefix}:done:`)).map((k) => seqOf(k, 'done')));
      const updates = new Map<number, OutboxOp>();
      let nextSeq = 0;
      for (const key of keys.filter((k) => k.startsWith(`${prefix}:upd:`))) {
        const value = await read(key);
        try {
          const op = validateOp(value, key);
          updates.set(op.seq, op);
        } catch (err) {
          corrupt(key, err);
        }
      }
      const ops: OutboxOp[] = [];
      const finished: number[] = [];
      const orphans = new Set([...done, ...updates.keys()]);
      for (const key of keys.filter((k) => k.startsWith(`${prefix}:seg:`)).sort()) {
        const first = seqOf(key, 'seg');
        // Even a segment left unread below keeps its key: new segments never land on it.
        nextSeq = Math.max(nextSeq, first + 1);
        const record = await read<{ v?: unknown; ops?: unknown }>(key);
        if (typeof record !== 'object' || record === null || !Array.isArray(record.ops)) {
          // Left in place (it is the user's data) and reported; the rest replays.
          corrupt(
            key,
            new RxSyncError('E_OUTBOX_CORRUPT', `Outbox entry ${key}: ops must be an array`, { details: { key, field: 'ops' } }),
          );
          continue;
        }
        const seqs: number[] = [];
        record.ops.forEach((value, i) => {
          try {
            const op = validateOp(value, `${key}.ops[${i}]`);
            seqs.push(op.seq);
            orphans.delete(op.seq);
            nextSeq = Math.max(nextSeq, op.seq + 1);
            if (!done.has(op.seq)) ops.push(updates.get(op.seq) ?? op);
          } catch (err) {
            corrupt(`${key}.ops[${i}]`, err);
          }
        });
        if (seqs.length === 0) continue;
        track(first, seqs, (seq) => done.has(seq));
        // A crash between an op's end and its segment's clean-up leaves a finished segment.
        if (segments.get(first)!.remaining === 0) finished.push(first);
      }
      for (const key of keys.filter((k) => k.startsWith(`${prefix}:dead:`))) {
        const letter = await read<DeadLetter>(key);
        if (letter?.op !== undefined && Number.isSafeInteger(letter.op.seq)) nextSeq = Math.max(nextSeq, letter.op.seq + 1);
      }
      // Tidy up only once every record was read.
      for (const first of finished) void cleanUp(first).catch(() => undefined);
      // Markers whose segment is gone (clean-up interrupted half-way on a non-atomic backend).
      const stray: StorageWrite[] = [...orphans].flatMap((seq) => [
        { type: 'remove', key: doneKey(seq) } as const,
        { type: 'remove', key: updKey(seq) } as const,
      ]);
      if (stray.length > 0) void committer.write(stray).catch(() => undefined);
      ops.sort((a, b) => a.seq - b.seq);
      return { ops, nextSeq };
    },

    async append(ops, extra = []) {
      if (ops.length === 0) return;
      const first = ops[0]!.seq;
      await committer.write([...extra, { type: 'set', key: segKey(first), value: { v: 1, ops } }]);
      track(
        first,
        ops.map((op) => op.seq),
        () => false,
      );
    },

    async finish(op, extra = []) {
      await committer.write([...extra, { type: 'set', key: doneKey(op.seq), value: 1 }]);
      const first = segmentOf.get(op.seq);
      const segment = first === undefined ? undefined : segments.get(first);
      if (first !== undefined && segment !== undefined && --segment.remaining === 0) {
        // Not awaited: the op's end is durable already; a crash before this is tidied on load.
        void cleanUp(first).catch(() => undefined);
      }
    },

    update: (op) => committer.write([{ type: 'set', key: updKey(op.seq), value: op }]),
    write: (writes) => committer.write(writes),
    idle: () => committer.idle(),
    deadKey: (id) => `${prefix}:dead:${id}`,
  };
}
