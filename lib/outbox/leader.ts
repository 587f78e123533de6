import { signal, type ReadonlySignal } from '../signals/signal.js';
import type { Storage } from '../storage/storage.js';
import { localLocks, type LockManagerLike } from './localLocks.js';

export type { LockManagerLike } from './localLocks.js';

/** Options of {@link electLeader}. */
export interface LeaderOptions {
  /** Names the lock, and the lease record's storage key. */
  readonly name: string;
  /** This contender's id (the lease's holder). */
  readonly holder: string;
  /** What is led: contenders on one storage (by its `id`, else this very object) compete. */
  readonly storage: Storage;
  /** Web Locks to use for a storage with an `id`: `navigator.locks` in browsers. */
  readonly locks: LockManagerLike | undefined;
  /** Whether to also hold a lease record in storage (processes with no shared lock service). */
  readonly lease: boolean;
  /** How long a lease lasts unless renewed (it is renewed every third of it). */
  readonly ttl: number;
  /** The clock lease expiry is measured with. */
  readonly now: () => number;
  /** Contend only once this resolves (the outbox loaded); never if it rejects (e.g. a wrong key). */
  readonly after?: Promise<unknown>;
}

/** One contender for leadership; at most one holds it at a time. */
export interface Leadership {
  /** True while this contender leads. */
  readonly leader$: ReadonlySignal<boolean>;
  /** Stops contending and gives the lead up (another contender takes it at once). */
  close(): void;
}

interface Lease {
  readonly holder: string;
  readonly expires: number;
}

/**
 * Elects one leader among contenders on one storage. The leader holds an exclusive lock until it
 * closes: Web Locks (`navigator.locks`, shared by every tab of an origin, released by the browser
 * when a tab goes away) for a storage with an `id`, else a lock in this JS realm. When other
 * processes may open the same storage (`storage.shared`, e.g. `fileStorage`), the lock holder
 * also needs a **lease** record `{ holder, expires }` in storage: it renews it every `ttl / 3`,
 * and takes it over once expired (a crashed holder). Storage has no compare-and-set, so a claim
 * is written, left to settle, and read back: only the contender whose claim stayed leads.
 */
export function electLeader(options: LeaderOptions): Leadership {
  const leader = signal(false);
  let closed = false;
  let release: (() => void) | undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;
  const { storage, holder, ttl, now, name } = options;

  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });

  const claim = async (): Promise<boolean> => {
    const lease = await storage.get<Lease>(name);
    if (closed) return false;
    const ours = lease?.holder === holder;
    if (!ours && isLease(lease) && lease.expires > now()) return false;
    await storage.set(name, { holder, expires: now() + ttl });
    if (ours) return true;
    // A rival may have claimed at the same moment: the last write wins, and both read it back.
    await wait(Math.min(100, ttl / 10));
    return !closed && (await storage.get<Lease>(name))?.holder === holder;
  };

  const holdLease = async (): Promise<void> => {
    while (!closed) {
      let leads: boolean;
      try {
        leads = await claim();
      } catch {
        leads = false; // storage refused: do not lead on a lease nobody can see
      }
      if (closed) break;
      leader.set(leads);
      await wait(ttl / 3);
    }
  };

  const locks = storage.id !== undefined && options.locks !== undefined ? options.locks : localLocks(storage.id ?? storage);
  // An instance that cannot read the storage must neither lead nor write a lease record there.
  void (options.after ?? Promise.resolve())
    .then(() =>
      closed
        ? undefined
        : locks.request(`rxsync-outbox:${storage.id ?? ''}:${name}`, async () => {
            if (closed) return;
            if (options.lease) return holdLease();
            leader.set(true);
            await released;
          }),
    )
    .catch(() => undefined);

  return {
    leader$: leader,
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      wake?.();
      const led = leader.get();
      leader.set(false);
      release?.();
      if (options.lease && led) {
        // Hand over at once instead of after the lease expires.
        void storage
          .get<Lease>(name)
          .then((lease) => (lease?.holder === holder ? storage.remove(name) : undefined))
          .catch(() => undefined);
      }
    },
  };
}

function isLease(value: unknown): value is Lease {
  const lease = value as Lease | undefined;
  return typeof lease?.holder === 'string' && typeof lease.expires === 'number';
}
