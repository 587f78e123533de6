import type { SealedSnapshotMessage } from '../../protocol/hubMessages.js';
import type { ReplicaSet } from './replicaSet.js';

/** Default ops between two sealed snapshots of an end-to-end room. */
export const DEFAULT_SNAPSHOT_EVERY = 500;

/** What a {@link SnapshotSealer} reads and does. */
export interface SealerDeps {
  /** Ops between sealed snapshots (0: never seal). */
  readonly every: number;
  readonly replicas: ReplicaSet;
  /** The seq everything merged so far covers. */
  lastSeq(): number;
  /** Whether the current connection is joined and its replay is over. */
  caughtUp(): boolean;
  send(message: SealedSnapshotMessage): void;
  report(error: unknown, code: string): void;
  /** In [0, 1): the share of the jitter this client draws. */
  random?(): number;
}

/**
 * Writes an end-to-end room's sealed snapshots. The hub tells every client the seq of the room's
 * newest snapshot (`snapshotted`); once this client has merged `every` ops past it plus its own
 * random jitter (up to `every / 2`, drawn again after each snapshot), and holds the whole room,
 * it seals each document's confirmed state and sends it. The client with the smallest jitter
 * writes first; the hub's `snapshotted` then resets everyone, and a late duplicate is refused as
 * stale. After sending, the client counts from the seq it sealed whatever the hub answers, so a
 * refused or lost snapshot is retried only `every` ops later.
 */
export class SnapshotSealer {
  private newest = 0;
  private threshold: number;
  private sealing = false;

  constructor(private readonly deps: SealerDeps) {
    this.threshold = this.draw();
  }

  /** The room's newest snapshot covers `seq` (from the hub, or one this client just sent). */
  known(seq: number): void {
    if (seq <= this.newest) return;
    this.newest = seq;
    this.threshold = this.draw();
  }

  /** Something was merged: seal now if it is this client's turn. */
  check(): void {
    const { deps } = this;
    if (deps.every <= 0 || this.sealing || !deps.caughtUp() || !deps.replicas.whole) return;
    const seq = deps.lastSeq();
    if (seq - this.newest < this.threshold) return;
    this.sealing = true;
    this.known(seq);
    deps.replicas
      .seal(seq)
      .then(
        (docs) => {
          if (docs.length > 0) deps.send({ kind: 'snapshot', seq, docs });
        },
        (error: unknown) => deps.report(error, 'E_SNAPSHOT_INVALID'),
      )
      .finally(() => (this.sealing = false));
  }

  private draw(): number {
    const { every } = this.deps;
    return every + Math.floor((this.deps.random ?? Math.random)() * (every / 2));
  }
}
