import type { Storage } from '../../storage/storage.js';
import { loadReplica } from './replicaStore.js';
import { ReplicaSaver } from './replicaSaver.js';
import type { ReplicaSet } from './replicaSet.js';
import type { RoomConnection } from './roomConnection.js';

/**
 * Keeps a room's confirmed state across reloads: restores the saved documents and the sequence
 * they cover before the room connects (so the hello asks only for what came after), and saves
 * again a little after each change.
 */
export class RoomPersistence {
  private readonly saver: ReplicaSaver;
  /** Settles once the saved replica is back (or there was none, or it was damaged). */
  readonly loaded: Promise<void>;

  constructor(
    storage: Storage,
    room: string,
    replicas: ReplicaSet,
    connection: RoomConnection,
    report: (error: unknown, code: string) => void,
  ) {
    this.saver = new ReplicaSaver(
      storage,
      room,
      () => ({ lastSeq: connection.lastSeq, docs: replicas.confirmed() }),
      () => replicas.busy,
      (error) => report(error, 'E_STORAGE_WRITE'),
    );
    this.loaded = loadReplica(storage, room)
      .then((saved) => {
        if (saved === undefined) return;
        replicas.restore(saved.docs);
        connection.advanceTo(saved.lastSeq);
      })
      // A damaged record costs a full resync from the hub, nothing more; it is overwritten later.
      .catch((error: unknown) => report(error, 'E_STORAGE_CORRUPT'));
  }

  /** Something confirmed changed: save soon. */
  changed(): void {
    this.saver.schedule();
  }

  /** The room is closing: save now if a save is due. */
  flush(): void {
    this.saver.flush();
  }
}
