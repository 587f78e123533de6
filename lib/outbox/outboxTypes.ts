import type { Observable } from 'rxjs';
import type { BackoffOptions } from '../backoff.js';
import type { RxSyncError } from '../errors.js';
import type { ReadonlySignal } from '../signals/signal.js';
import type { Storage } from '../storage/storage.js';
import type { LockManagerLike } from './localLocks.js';
import type { DeadLetter, OutboxOp } from './outboxOp.js';

/**
 * Delivers one op; resolving acknowledges it. Throw a `RefusedError` (or anything `isTransient`
 * calls permanent) to dead-letter it at once; any other error is retried with backoff. `signal`
 * aborts when the outbox gives the delivery up (closed, or another instance leads now).
 */
export type OutboxSender<P = unknown> = (
  op: OutboxOp<P>,
  context: { readonly signal: AbortSignal; readonly idempotencyKey: string },
) => Promise<unknown>;

/** Options of {@link createOutbox}. */
export interface OutboxOptions {
  /** Where ops are kept until acknowledged. */
  storage: Storage;
  /**
   * Storage key prefix. Default `rxsync:outbox`. Outboxes with the same prefix on one storage
   * (tabs of one app, processes on one folder) share one queue: see {@link createOutbox}.
   */
  prefix?: string;
  /** At most this many queued ops; a full outbox refuses new ones (`E_OUTBOX_FULL`). Default 10,000. */
  maxSize?: number;
  /** Online state; replay pauses while offline. Default: `onlineManager`. */
  online$?: Observable<boolean>;
  /**
   * Backoff between transient failures (through `retryBackoff`; default 1 s doubling up to 60 s,
   * full jitter), and `maxAttempts`: deliveries in all before the op is dead-lettered (default:
   * never). Failures count in the op's `attempts`, kept in storage across reloads.
   */
  retry?: BackoffOptions & { maxAttempts?: number };
  /** Decides retry vs dead letter. Default {@link isTransientError}. */
  isTransient?: (error: unknown) => boolean;
  /** Stamps each op (e.g. a hybrid logical clock). */
  clock?: { tick(): string };
  /** The clock of `createdAt` and of the leader lease. Default `Date.now`. */
  now?: () => number;
  createId?: () => string;
  /**
   * Web Locks used to elect the one instance that replays. Default `navigator.locks` where it
   * exists; `null` uses a lease record in storage instead (what Node processes do).
   */
  locks?: LockManagerLike | null;
  /** How long a storage lease lasts without renewal (ms): a crashed leader's successor waits this long. Default 5000. */
  leaseTtl?: number;
  /** How often storage is re-read for ops other instances queued or finished (ms). Default 1000. */
  rescanInterval?: number;
}

/** Options of `register`. */
export interface RegisterOptions {
  /**
   * How many ops of one scope this sender may have in flight at once (a pipelining window); their
   * outcomes still settle (are stored, then announced on `ack$` / `deadLetter$`) in queue order,
   * whatever order the answers come in. An op waits while any op ahead of it in its scope has a
   * smaller window than its position. Default 1: the next op of a scope is sent only after the
   * previous one settled, which is what a plain HTTP API needs to keep order.
   */
  window?: number;
}

/** Options of one `enqueue`. */
export interface EnqueueOptions {
  /** Ordering scope. Default `'default'`. */
  scope?: string;
  /** App data stored with the op (JSON). */
  meta?: unknown;
}

/** A durable, ordered, bounded queue of operations, replayed when online. */
export interface Outbox {
  /**
   * Resolves once the ops stored by an earlier session are loaded. Rejects (and reports on
   * `errors$`) when a stored record cannot be read — with `encryptedStorage` and a wrong key,
   * `E_DECRYPT` or `E_KEY_UNKNOWN`; the outbox then writes nothing and `enqueue` refuses with the
   * same error, so reopening with the right key still finds every op.
   */
  readonly ready: Promise<void>;
  /** Registers the sender for ops named `name`; ops wait until their sender exists. */
  register<P>(name: string, sender: OutboxSender<P>, options?: RegisterOptions): () => void;
  /** Queues an op; resolves only once it is durable in storage. */
  enqueue<P>(name: string, payload: P, options?: EnqueueOptions): Promise<OutboxOp<P>>;
  /** Number of ops waiting (queued and not yet acknowledged or dead). */
  readonly pending$: ReadonlySignal<number>;
  /** Each op the server acknowledged, with its answer. */
  readonly ack$: Observable<{ readonly op: OutboxOp; readonly result: unknown }>;
  /** Each op that failed for good. */
  readonly deadLetter$: Observable<DeadLetter>;
  /** Each op another instance on the same storage (a tab, a process) queued, as this one learns of it. */
  readonly fromPeers$: Observable<OutboxOp>;
  /** Each op this instance queued, once durable (a dead letter put back by `retryDeadLetter` too). */
  readonly queued$: Observable<OutboxOp>;
  /**
   * Whether this instance replays the queue: of the tabs or processes sharing the storage, one
   * leads at a time (the others queue and wait). Emits the current value at once, then changes.
   */
  readonly leader$: ReadonlySignal<boolean>;
  /** Problems that are not an op's fault: corrupt or unreadable stored entries, storage write failures. */
  readonly errors$: Observable<RxSyncError>;
  /** The queued ops, in order. */
  pendingOps(): readonly OutboxOp[];
  /** The dead letters kept in storage. */
  deadLetters(): Promise<DeadLetter[]>;
  /** Puts a dead letter back at the end of its scope's queue. */
  retryDeadLetter(id: string): Promise<void>;
  /** Deletes a dead letter. */
  discardDeadLetter(id: string): Promise<void>;
  /** Resolves when every op queued so far was acknowledged or dead-lettered. */
  drained(): Promise<void>;
  /** Stops replay and timers (queued ops stay in storage for the next session). */
  close(): void;
}
