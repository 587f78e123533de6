import { RxSyncError } from '../errors.js';
import type { OutboxOp } from './outboxOp.js';
import { errorMessage } from './outboxOutcome.js';
import type { OutboxStore } from './outboxStore.js';
import type { EnqueueOptions } from './outboxTypes.js';

/** What {@link createEnqueueStaging} needs. */
export interface EnqueueStagingDeps {
  readonly store: OutboxStore;
  readonly storageName: string;
  readonly maxSize: number;
  readonly now: () => number;
  readonly createId: () => string;
  readonly clock: { tick(): string } | undefined;
  /** How many ops the queue holds now (counted against `maxSize`). */
  readonly queued: () => number;
  /** Told of each batch once it is durable (before its enqueues resolve). */
  readonly onDurable: (ops: readonly OutboxOp[]) => void;
}

/** Builds ops and makes them durable together (group commit). */
export interface EnqueueStaging {
  /** Builds an op, writes it with every other op staged in this turn; resolves once durable. */
  enqueue<P>(name: string, payload: P, options: EnqueueOptions): Promise<OutboxOp<P>>;
  /** The next position in this writer's order: fresh `seq` and a `createdAt` that never decreases. */
  nextPosition(): { seq: number; writer: string; createdAt: number };
  /** Enqueues accepted but not durable yet. */
  readonly reserved: number;
}

/**
 * The enqueue side of the outbox: ops accepted in one turn are written as one segment when the
 * turn ends, so a burst of enqueues costs one storage write; each enqueue resolves only once its
 * op is durable, or rejects with `E_STORAGE_WRITE`. A full outbox (counting ops not durable yet)
 * refuses with `E_OUTBOX_FULL` rather than dropping older ops.
 */
export function createEnqueueStaging(deps: EnqueueStagingDeps): EnqueueStaging {
  const { store } = deps;
  // The ops accepted in this turn, and the one promise of their write: each enqueue chains on it
  // (one promise per op, not an async function plus a promise of its own).
  let staged: { ops: OutboxOp[]; durable: Promise<void> } | undefined;
  let reserved = 0;
  let nextSeq = 0;
  let lastCreated = 0; // createdAt never decreases within this writer: it orders our ops

  const writeStaged = async (ops: OutboxOp[]): Promise<void> => {
    staged = undefined;
    try {
      await store.append(ops);
    } finally {
      reserved -= ops.length;
    }
    deps.onDurable(ops);
  };

  const stage = (op: OutboxOp): Promise<void> => {
    if (staged === undefined) {
      const ops: OutboxOp[] = [];
      staged = { ops, durable: Promise.resolve().then(() => writeStaged(ops)) };
    }
    staged.ops.push(op);
    return staged.durable;
  };

  const nextPosition = (): { seq: number; writer: string; createdAt: number } => ({
    seq: nextSeq++,
    writer: store.writer,
    createdAt: (lastCreated = Math.max(deps.now(), lastCreated)),
  });

  return {
    get reserved() {
      return reserved;
    },
    nextPosition,
    enqueue(name, payload, options) {
      if (deps.queued() + reserved >= deps.maxSize) {
        return Promise.reject(
          new RxSyncError(
            'E_OUTBOX_FULL',
            `The outbox holds ${deps.maxSize} ops already; refusing "${name}" rather than dropping older ones`,
            {
              details: { maxSize: deps.maxSize },
            },
          ),
        );
      }
      let op: OutboxOp<typeof payload>;
      try {
        // Built field by field, not from spreads of temporary objects: less garbage per enqueue.
        const built: Mutable<OutboxOp<typeof payload>> = {
          id: deps.createId(),
          name,
          payload: jsonCopy(payload, name),
          scope: options.scope ?? 'default',
          seq: nextSeq++,
          writer: store.writer,
          createdAt: (lastCreated = Math.max(deps.now(), lastCreated)),
          attempts: 0,
        };
        if (deps.clock) built.stamp = deps.clock.tick();
        if (options.meta !== undefined) built.meta = jsonCopy(options.meta, name);
        op = built;
      } catch (err) {
        return Promise.reject(err);
      }
      reserved++;
      return stage(op).then(
        () => op,
        (err: unknown) => {
          throw new RxSyncError(
            'E_STORAGE_WRITE',
            `"${name}" was not queued: ${deps.storageName} refused the write (${errorMessage(err)})`,
            {
              cause: err,
            },
          );
        },
      );
    },
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Stores a JSON copy, so later mutation by the caller cannot change what was queued. */
function jsonCopy<T>(value: T, name: string): T {
  try {
    return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
  } catch (cause) {
    throw new RxSyncError('E_OUTBOX_INVALID', `The payload of "${name}" is not JSON-serializable: ${errorMessage(cause)}`, { cause });
  }
}
