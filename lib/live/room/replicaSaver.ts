import type { Storage } from '../../storage/storage.js';
import { saveReplica, type SavedReplica } from './replicaStore.js';

/** The least time between two saves: a burst of changes costs one write per this many ms. */
const SAVE_DELAY = 300;

/**
 * Saves a room's confirmed state when it changed: at once after a quiet spell (so what a page just
 * showed survives a reload right after), then at most one write per {@link SAVE_DELAY} ms in a burst.
 */
export class ReplicaSaver {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastSave = -Infinity;

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
    // After a quiet spell, on the next macrotask: the change being applied has finished by then.
    const wait = Math.max(0, this.lastSave + SAVE_DELAY - Date.now());
    this.timer = setTimeout(() => this.save(), wait);
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
    if (this.busy()) {
      this.timer = setTimeout(() => this.save(), SAVE_DELAY);
      (this.timer as { unref?: () => void }).unref?.();
      return;
    }
    this.lastSave = Date.now();
    saveReplica(this.storage, this.room, this.snapshot()).catch(this.onError);
  }
}
