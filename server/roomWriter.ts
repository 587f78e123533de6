import type { DocType } from '../lib/crdt/docTypes.js';
import type { HubOp } from '../lib/protocol/hubMessages.js';
import type { LoggedOp } from './opLog.js';
import type { RoomHost } from './roomHost.js';
import type { SequencedOp } from './roomSequencer.js';
import type { HubSession } from './session.js';
import { afterIo } from './afterIo.js';

/** Ops of one message that passed validation, waiting for the next group commit. */
export interface PendingOps {
  readonly session: HubSession;
  readonly ops: readonly HubOp[];
  /** The decoded state of each op (end-to-end rooms: unused). */
  readonly states: readonly unknown[];
  readonly receivedAt: number;
  /** Inbound bytes the message holds until its commit ends. */
  readonly bytes: number;
}

/** The room as its writer sees it. */
export interface WriterRoom {
  readonly name: string;
  readonly e2e: boolean;
  typeOf(doc: string): DocType | undefined;
  /**
   * Hands ops the log just made durable to the room's sequencer; `undefined` once they are applied
   * and broadcast, else a promise that resolves when they are (ops of other hubs come first).
   */
  sequence(ops: readonly SequencedOp[]): Promise<void> | undefined;
  /** Whether the op logged as `seq` was skipped when delivered (its document has another type). */
  skipped(seq: number): boolean;
  /** Tells the other hubs about the ops, once delivered here. */
  announce(ops: readonly LoggedOp[]): void;
  /** Called after each commit, e.g. to take a snapshot. */
  committed(count: number): Promise<void>;
}

/**
 * Group commit for one room: every message that arrives in the same tick, from any session, goes
 * into ONE log append; then the new ops are delivered (through the room's sequencer, after any op
 * of another hub logged before them) and announced on the bus, then each message is acked. Commits
 * run one at a time, so seqs follow arrival order. An ack is only sent once the log said the ops
 * are durable; a duplicate id is acked again without being applied.
 */
export class RoomWriter {
  private pending: PendingOps[] = [];
  private running = false;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly room: WriterRoom,
    private readonly host: RoomHost,
  ) {}

  /** Whether a commit is queued or running. */
  get busy(): boolean {
    return this.running || this.scheduled || this.pending.length > 0;
  }

  /** Resolves once nothing is queued or being written. */
  whenIdle(): Promise<void> {
    return this.busy ? new Promise((resolve) => this.idleWaiters.push(resolve)) : Promise.resolve();
  }

  submit(ops: PendingOps): void {
    this.pending.push(ops);
    this.schedule();
  }

  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    // After I/O, not a microtask: frames read from every socket in this I/O phase join the batch.
    afterIo(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.running = true;
    const batch = this.pending;
    this.pending = [];
    try {
      await this.commit(batch);
    } catch (error) {
      this.host.reportError(error);
      // Not durable, so not acked: close the writers; their outboxes resend after reconnecting.
      for (const { session } of batch) session.fail('E_LOG_WRITE', 'The hub could not store the ops; resend them');
    } finally {
      this.running = false;
      let bytes = 0;
      for (const entry of batch) bytes += entry.bytes;
      this.host.inbound.release(bytes);
      if (this.pending.length > 0) {
        this.schedule();
      } else {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
        this.host.idle(this.room.name);
      }
    }
  }

  private async commit(batch: readonly PendingOps[]): Promise<void> {
    const accepted: HubOp[] = [];
    const source = new Map<string, { state: unknown; receivedAt: number }>();
    const mismatched = new Map<PendingOps, string[]>();
    const created = new Map<string, DocType>();
    for (const entry of batch) {
      entry.ops.forEach((op, i) => {
        if (!this.room.e2e) {
          // A document's type is fixed by its first op; this batch may create it.
          const known = this.room.typeOf(op.doc) ?? created.get(op.doc);
          if (known !== undefined && known !== op.type) {
            mismatched.set(entry, [...(mismatched.get(entry) ?? []), op.id]);
            return;
          }
          created.set(op.doc, op.type);
        }
        accepted.push(op);
        if (!source.has(op.id)) source.set(op.id, { state: entry.states[i], receivedAt: entry.receivedAt });
      });
    }
    let applied = 0;
    const skippedIds = new Set<string>();
    if (accepted.length > 0) {
      const started = this.host.now();
      const result = await this.host.log.append(this.room.name, accepted);
      this.host.metrics.logWrite.observe((this.host.now() - started) / 1000);
      applied = result.applied.length;
      this.host.metrics.opsApplied.add(applied);
      this.host.metrics.opsDuplicate.add(result.duplicates.length);
      const delivered = this.room.sequence(
        result.applied.map((logged) => {
          const from = source.get(logged.op.id) as { state: unknown; receivedAt: number };
          return { seq: logged.seq, op: logged.op, state: from.state, receivedAt: from.receivedAt };
        }),
      );
      // Op frames go out before the acks: wait until the ops of other hubs before ours are delivered.
      if (delivered !== undefined) await delivered;
      this.room.announce(result.applied);
      // Another hub created one of these documents with another type just before: refused like a mismatch here.
      for (const { seq, op } of result.applied) if (this.room.skipped(seq)) skippedIds.add(op.id);
    }
    for (const entry of batch) {
      const refused = [...(mismatched.get(entry) ?? []), ...entry.ops.filter((op) => skippedIds.has(op.id)).map((op) => op.id)];
      const acked = entry.ops.filter((op) => !refused.includes(op.id)).map((op) => op.id);
      if (acked.length > 0) entry.session.send({ kind: 'ack', ids: acked });
      if (refused.length > 0) {
        this.host.metrics.rejects.add(refused.length, { code: 'E_OP_INVALID' });
        entry.session.send({
          kind: 'reject',
          ids: refused,
          code: 'E_OP_INVALID',
          message: 'The op type differs from the type of the existing document',
        });
      }
    }
    if (applied > 0) await this.room.committed(applied);
  }
}
