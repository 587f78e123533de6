import type { SealedSnapshotMessage } from '../lib/protocol/hubMessages.js';
import type { RoomSnapshot } from './opLog.js';
import type { RoomHost } from './roomHost.js';
import type { HubSession } from './session.js';
import { utf8Length } from './utf8.js';

/** What {@link SealedSnapshots} needs from its room. */
export interface SealingRoom {
  readonly name: string;
  readonly e2e: boolean;
  /** Seq of the last op this hub delivered. */
  readonly head: number;
  /** Seq the room's current snapshot covers, 0 without one. */
  readonly snapshotSeq: number;
  /** A new snapshot is stored: serve it to joiners and tell everyone its seq. */
  useSnapshot(snapshot: RoomSnapshot): void;
}

/**
 * Takes the sealed snapshots clients of an end-to-end room write (the hub cannot read or merge
 * their states, so the clients compact for it): checks what it can see — the room, the seq against
 * the head and the current snapshot, the size — and stores a valid one in the log's snapshot slot,
 * one at a time so a slower save never replaces a newer one.
 */
export class SealedSnapshots {
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly room: SealingRoom,
    private readonly host: RoomHost,
  ) {}

  /** Checks and stores `message` from `session`; a refusal is an error frame naming why. */
  receive(session: HubSession, message: SealedSnapshotMessage): void {
    this.saving = this.saving.then(() => this.store(session, message));
  }

  private async store(session: HubSession, message: SealedSnapshotMessage): Promise<void> {
    const { room, host } = this;
    if (!room.e2e) {
      return session.error('E_SNAPSHOT_INVALID', `Room ${room.name} is not end-to-end: the hub takes its own snapshots`);
    }
    if (message.seq > room.head) {
      return session.error('E_SNAPSHOT_AHEAD', `Snapshot at seq ${message.seq} is past the room's head (${room.head})`);
    }
    if (message.seq <= room.snapshotSeq) {
      return session.error('E_SNAPSHOT_STALE', `The room has a snapshot at seq ${room.snapshotSeq} already`);
    }
    let bytes = 0;
    for (const { state } of message.docs) bytes += utf8Length(state);
    if (bytes > host.limits.maxSnapshotBytes) {
      return session.error('E_TOO_LARGE', `Sealed snapshot of ${bytes} bytes is over maxSnapshotBytes (${host.limits.maxSnapshotBytes})`);
    }
    const snapshot: RoomSnapshot = { seq: message.seq, docs: message.docs };
    try {
      await host.log.saveSnapshot(room.name, snapshot);
    } catch (error) {
      // The log still has every op: replay stays whole, and the clients seal again later.
      host.reportError(error);
      return;
    }
    host.metrics.snapshots.inc();
    room.useSnapshot(snapshot);
  }
}
