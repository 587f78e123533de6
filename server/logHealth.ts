import type { OpLog } from './opLog.js';

/** How long a failed log write keeps the hub unready, unless a later write succeeds first. */
export const LOG_FAILURE_WINDOW_MS = 30_000;

/**
 * Watches the writes of an op log for `/readyz`: the hub is not ready while its last write failed,
 * for at most {@link LOG_FAILURE_WINDOW_MS}. The window ends by itself so that a hub a load balancer
 * stopped sending to gets tried again, and fails again if the disk is still unwritable.
 */
export class LogHealth {
  private lastFailure = Number.NEGATIVE_INFINITY;
  private lastSuccess = Number.NEGATIVE_INFINITY;

  constructor(private readonly now: () => number) {}

  /** Whether a write failed recently and none succeeded since. */
  get failing(): boolean {
    return this.lastFailure > this.lastSuccess && this.now() - this.lastFailure < LOG_FAILURE_WINDOW_MS;
  }

  /** `log`, with its writes (appends and snapshots) recorded here. */
  watch(log: OpLog): OpLog {
    const record = async <T>(write: () => Promise<T>): Promise<T> => {
      try {
        const result = await write();
        this.lastSuccess = this.now();
        return result;
      } catch (error) {
        this.lastFailure = this.now();
        throw error;
      }
    };
    return {
      append: (room, ops) => record(() => log.append(room, ops)),
      saveSnapshot: (room, snapshot) => record(() => log.saveSnapshot(room, snapshot)),
      read: (room, afterSeq, limit) => log.read(room, afterSeq, limit),
      head: (room) => log.head(room),
      snapshot: (room) => log.snapshot(room),
      close: () => log.close(),
    };
  }
}
