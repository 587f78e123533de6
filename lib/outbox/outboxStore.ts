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
 * Every outbox instance (tab, process) writes under its own random writer id, so several
 * instances on one storage never write the same key: an op's **slot** is `<writer>.<seq>`
 * (`<seq>` alone for segments written before writer ids existed). Segments are written once and
 * never changed, so any instance can read any writer's segments and finish their ops.
 *
 * ```
 * <prefix>:seg:<slot of first op>  { v: 1, writer?, ops: OutboxOp[] }
 * <prefix>:done:<slot>             1
 * <prefix>:upd:<slot>              OutboxOp (latest attempts / lastError)
 * <prefix>:dead:<id>               DeadLetter
 * <prefix>:lease                   leader lease, when Web Locks are missing (see leaderLease)
 * ```
 */
export interface OutboxStore {
  /** This instance's writer id. */
  readonly writer: string;
  /**
   * Reads what is in storage and is not known yet: pending ops of segments not seen before, and
   * the ids of known ops another instance finished since (`gone`). The first call loads everything.
   * Rejects, changing nothing, on an unreadable record.
   */
  scan(): Promise<{ added: OutboxOp[]; gone: string[] }>;
  /** Writes ops (all of this writer) as one segment (plus `extra` writes in the same batch); resolves once durable. */
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

/** The storage slot of an op: its writer and seq. */
export const slotOf = (op: OutboxOp): string => (op.writer === undefined ? pad(op.seq) : `${op.writer}.${pad(op.seq)}`);

interface Segment {
  remaining: number;
  slots: string[];
}

/**
 * Creates the store over `storage`. Records that read but do not validate are reported through
 * `report` and skipped; a record the backend cannot read at all makes `scan` reject, changing nothing.
 */
export function createOutboxStore(storage: Storage, prefix: string, writer: string, report: (error: RxSyncError) => void): OutboxStore {
  const committer = createGroupCommitter(storage);
  const segKey = (slot: string): string => `${prefix}:seg:${slot}`;
  const doneKey = (slot: string): string => `${prefix}:done:${slot}`;
  const updKey = (slot: string): string => `${prefix}:upd:${slot}`;
  // Which segment each known op lives in (by slot), and how many of each segment's ops are not done.
  const segmentOf = new Map<string, string>();
  const segments = new Map<string, Segment>();
  const opIds = new Map<string, string>(); // slot → op id, for ops still pending here
  // Segment keys seen already (ours before they are written, so a scan never reads them twice).
  const seen = new Set<string>();
  const reported = new Set<string>();

  const track = (first: string, slots: string[], done: (slot: string) => boolean): Segment => {
    const segment = { remaining: slots.filter((slot) => !done(slot)).length, slots };
    segments.set(first, segment);
    for (const slot of slots) segmentOf.set(slot, first);
    return segment;
  };

  const cleanUp = (first: string): Promise<void> => {
    const segment = segments.get(first);
    segments.delete(first);
    const writes: StorageWrite[] = [{ type: 'remove', key: segKey(first) }];
    for (const slot of segment?.slots ?? []) {
      segmentOf.delete(slot);
      opIds.delete(slot);
      writes.push({ type: 'remove', key: doneKey(slot) }, { type: 'remove', key: updKey(slot) });
    }
    return committer.write(writes);
  };

  const corrupt = (key: string, err: unknown): void => {
    if (reported.has(key)) return; // a rescan finds it again: reported once
    reported.add(key);
    report(err instanceof RxSyncError ? err : new RxSyncError('E_OUTBOX_CORRUPT', `Outbox entry ${key} unreadable`, { cause: err }));
  };

  // Keeps the backend's code (E_DECRYPT for a wrong key, E_STORAGE_CORRUPT, …) so apps can tell them apart.
  const unreadable = (key: string, err: unknown): RxSyncError =>
    new RxSyncError(
      err instanceof RxSyncError ? err.code : 'E_STORAGE_READ',
      `The outbox did not load: entry ${key} could not be read from ${storage.name} (${err instanceof Error ? err.message : String(err)}). ` +
        `Nothing was changed; reopen it with the storage (or key) that wrote it`,
      { cause: err, details: { key } },
    );

  // A record the backend cannot read (a wrong or unknown key, damaged bytes) stops the scan:
  // skipping it could let this session write under a key that cannot read the rest.
  const read = async <T>(key: string): Promise<T | undefined> => {
    try {
      return await storage.get<T>(key);
    } catch (err) {
      throw unreadable(key, err);
    }
  };

  let scans = 0;

  return {
    writer,

    async scan() {
      const first = scans++ === 0;
      const keys = await storage.keys(`${prefix}:`);
      const slotIn = (key: string, kind: string): string => key.slice(prefix.length + kind.length + 2);
      const done = new Set(keys.filter((k) => k.startsWith(`${prefix}:done:`)).map((k) => slotIn(k, 'done')));
      const segKeys = keys.filter((k) => k.startsWith(`${prefix}:seg:`)).sort();
      const present = new Set(segKeys.map((k) => slotIn(k, 'seg')));

      // Known ops another instance finished (done marker, or its whole segment tidied away).
      const gone: string[] = [];
      for (const [slot, id] of opIds) {
        const segment = segmentOf.get(slot);
        if (done.has(slot) || (segment !== undefined && !present.has(segment) && seen.has(segKey(segment)) && segments.has(segment))) {
          gone.push(id);
          opIds.delete(slot);
          const tracked = segment === undefined ? undefined : segments.get(segment);
          if (tracked !== undefined && --tracked.remaining === 0 && present.has(segment!)) void cleanUp(segment!).catch(() => undefined);
          else if (tracked !== undefined && !present.has(segment!)) segments.delete(segment!);
        }
      }

      const fresh = segKeys.filter((k) => !seen.has(k));
      const updates = new Map<string, OutboxOp>();
      if (fresh.length > 0) {
        for (const key of keys.filter((k) => k.startsWith(`${prefix}:upd:`))) {
          const value = await read(key);
          if (value === undefined) continue; // tidied away meanwhile
          try {
            updates.set(slotIn(key, 'upd'), validateOp(value, key));
          } catch (err) {
            corrupt(key, err);
          }
        }
      }
      const added: OutboxOp[] = [];
      const finished: string[] = [];
      const slotsRead = new Set<string>();
      for (const key of fresh) {
        const firstSlot = slotIn(key, 'seg');
        const record = await read<{ v?: unknown; writer?: unknown; ops?: unknown }>(key);
        if (record === undefined) continue; // finished and tidied by another instance meanwhile
        seen.add(key);
        if (typeof record !== 'object' || record === null || !Array.isArray(record.ops)) {
          // Left in place (it is the user's data) and reported; the rest replays.
          corrupt(
            key,
            new RxSyncError('E_OUTBOX_CORRUPT', `Outbox entry ${key}: ops must be an array`, { details: { key, field: 'ops' } }),
          );
          continue;
        }
        const segmentWriter = typeof record.writer === 'string' ? record.writer : undefined;
        const slots: string[] = [];
        record.ops.forEach((value, i) => {
          try {
            const stored = validateOp(value, `${key}.ops[${i}]`);
            const op = segmentWriter !== undefined && stored.writer === undefined ? { ...stored, writer: segmentWriter } : stored;
            const slot = slotOf(op);
            slots.push(slot);
            slotsRead.add(slot);
            if (done.has(slot)) return;
            opIds.set(slot, op.id);
            added.push(updates.get(slot) ?? op);
          } catch (err) {
            corrupt(`${key}.ops[${i}]`, err);
          }
        });
        if (slots.length === 0) continue;
        // A crash between an op's end and its segment's clean-up leaves a finished segment.
        if (track(firstSlot, slots, (slot) => done.has(slot)).remaining === 0) finished.push(firstSlot);
      }
      // Tidy up only once every record was read.
      for (const slot of finished) void cleanUp(slot).catch(() => undefined);
      if (first) {
        // Markers whose segment is gone (clean-up interrupted half-way on a non-atomic backend).
        const markers = keys.filter((k) => k.startsWith(`${prefix}:done:`) || k.startsWith(`${prefix}:upd:`));
        const stray: StorageWrite[] = markers
          .filter((k) => !slotsRead.has(k.startsWith(`${prefix}:done:`) ? slotIn(k, 'done') : slotIn(k, 'upd')))
          .map((key) => ({ type: 'remove', key }));
        if (stray.length > 0) void committer.write(stray).catch(() => undefined);
      }
      return { added, gone };
    },

    async append(ops, extra = []) {
      if (ops.length === 0) return;
      const slots = ops.map(slotOf); // once per op: a slot is a base-36 pad and a concatenation
      const first = slots[0]!;
      seen.add(segKey(first));
      await committer.write([...extra, { type: 'set', key: segKey(first), value: { v: 1, writer, ops } }]);
      track(first, slots, () => false);
      for (let i = 0; i < ops.length; i++) opIds.set(slots[i]!, ops[i]!.id);
    },

    async finish(op, extra = []) {
      const slot = slotOf(op);
      await committer.write([...extra, { type: 'set', key: doneKey(slot), value: 1 }]);
      if (!opIds.delete(slot)) return; // finished by a scan's news already
      const first = segmentOf.get(slot);
      const segment = first === undefined ? undefined : segments.get(first);
      if (first !== undefined && segment !== undefined && --segment.remaining === 0) {
        // Not awaited: the op's end is durable already; a crash before this is tidied on load.
        void cleanUp(first).catch(() => undefined);
      }
    },

    update: (op) => committer.write([{ type: 'set', key: updKey(slotOf(op)), value: op }]),
    write: (writes) => committer.write(writes),
    idle: () => committer.idle(),
    deadKey: (id) => `${prefix}:dead:${id}`,
  };
}

/** Reads the dead letters kept under `prefix`, oldest first. */
export async function readDeadLetters(storage: Storage, prefix: string): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  for (const key of await storage.keys(`${prefix}:dead:`)) {
    const letter = await storage.get<DeadLetter>(key);
    if (letter !== undefined) letters.push(letter);
  }
  return letters.sort((a, b) => a.deadAt - b.deadAt);
}
