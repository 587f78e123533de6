import type { Storage } from '../../storage/storage.js';
import { saveReplica, type SavedReplica } from './replicaStore.js';

/** How long confirmed changes wait before the replica is saved (one write per burst). */
const SAVE_DELAY = 300;

/** Saves a room's confirmed state a little after it changed: one write per burst of changes. */
export class ReplicaSaver {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly room: string,
    /** What to save now. */
    private readonly snapshot: () => SavedReplica,
    /** True while the state is not ready to save (envelopes still being opened). */
    private readonly busy: () => boolean,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Something changed: save soon. */
  schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => this.save(), SAVE_DELAY);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Saves now if a save is due (the room is closing). */
  flush(): void {
    if (this.timer !== undefined) this.save();
  }

  private save(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    // Saving while envelopes are still being opened could record a cursor past ops not yet merged.
    if (this.busy()) return this.schedule();
    saveReplica(this.storage, this.room, this.snapshot()).catch(this.onError);
  }
}
