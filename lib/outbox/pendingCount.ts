import { signal, type ReadonlySignal } from '../signals/signal.js';

/** What {@link createPendingCount} counts. */
export interface PendingCountDeps {
  /** Ops queued now. */
  readonly queued: () => number;
  /** Enqueues accepted but not durable yet. */
  readonly reserved: () => number;
  /** Resolves once every storage write requested so far landed. */
  readonly idle: () => Promise<void>;
}

/** The outbox's pending count and its `drained()` promise. */
export interface PendingCount {
  readonly pending$: ReadonlySignal<number>;
  /** Call after the queue or the reserved count changed. */
  update(): void;
  /** Resolves when every op queued so far was acknowledged or dead-lettered. */
  drained(): Promise<void>;
  /** Forgets the waiters (they never resolve). */
  close(): void;
}

/** Creates a {@link PendingCount}. */
export function createPendingCount(deps: PendingCountDeps): PendingCount {
  const pending = signal(0);
  let waiters: Array<() => void> = [];
  const empty = (): boolean => deps.queued() === 0 && deps.reserved() === 0;
  return {
    pending$: pending,
    update() {
      pending.set(deps.queued());
      if (empty() && waiters.length > 0) {
        // Resolve once the tidy-up writes landed too, so storage is quiet when `drained` says so.
        void deps.idle().then(() => {
          if (empty()) waiters.splice(0).forEach((w) => w());
        });
      }
    },
    drained: () => (empty() ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    close() {
      waiters = [];
    },
  };
}
