import { Subject, type Subscription } from 'rxjs';
import { backoffDelay } from '../backoff.js';
import { onlineManager } from '../environment/onlineManager.js';
import { RxSyncError } from '../errors.js';
import { randomId } from '../randomId.js';
import { signal } from '../signals/signal.js';
import { isTransientError } from './isTransientError.js';
import type { LockManagerLike } from './localLocks.js';
import { compareOps, validateOp, type DeadLetter, type OutboxOp } from './outboxOp.js';
import { joinPeers, type PeerMessage } from './outboxPeers.js';
import { createOutboxStore, readDeadLetters } from './outboxStore.js';
import type { Outbox, OutboxOptions, OutboxSender } from './outboxTypes.js';
import { checkOptions } from '../options/checkOptions.js';
import { outboxOptionSpec } from '../options/specs.js';

export type { EnqueueOptions, Outbox, OutboxOptions, OutboxSender, RegisterOptions } from './outboxTypes.js';

/**
 * Creates an outbox over `storage`. `enqueue` resolves only after the op reached storage (many
 * enqueues share one write: group commit). When online, ops replay in order per scope (serial
 * within a scope, parallel across scopes); each carries its id as the idempotency key.
 * Transient failures retry with backoff; permanent ones move the op to the dead letters.
 *
 * **Several tabs or processes** may open the same outbox (same storage and prefix): each writes
 * under its own random writer id, so no op overwrites another. One instance at a time replays
 * every instance's ops (the leader: Web Locks in browsers, a lease record in storage
 * elsewhere); the others queue durably and learn of new and finished ops through a
 * BroadcastChannel and periodic rescans. When the leader closes or crashes, another takes over
 * and sends what is left, each op once. Within a scope, ops go in the order they were queued
 * (`createdAt`, then writer id): one tab's ops keep their exact order.
 *
 * @example
 * ```ts
 * const outbox = createOutbox({ storage: localforageStorage({ name: 'app' }) });
 * outbox.register('addTodo', httpSender({ url: '/api/todos' }));
 * await outbox.enqueue('addTodo', { title: 'Buy milk' }); // durable now, sent when online
 * ```
 */
export function createOutbox(options: OutboxOptions): Outbox {
  checkOptions('createOutbox', options, outboxOptionSpec);
  const { storage } = options;
  const prefix = options.prefix ?? 'rxsync:outbox';
  const maxSize = options.maxSize ?? 10_000;
  const now = options.now ?? Date.now;
  const isTransient = options.isTransient ?? isTransientError;
  const createId = options.createId ?? randomId;
  const senders = new Map<string, OutboxSender>();
  const queue: OutboxOp[] = [];
  const running = new Set<string>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const controllers = new Set<AbortController>();
  const pending = signal(0);
  const acks = new Subject<{ op: OutboxOp; result: unknown }>();
  const dead = new Subject<DeadLetter>();
  const errors = new Subject<RxSyncError>();
  const fromPeers = new Subject<OutboxOp>();
  const writer = randomId().replace(/-/g, '').slice(0, 16);
  const store = createOutboxStore(storage, prefix, writer, (error) => errors.next(error));
  // Ops accepted in this turn, written together as one segment when the turn ends.
  let staged: Array<{ op: OutboxOp; resolve: () => void; reject: (err: unknown) => void }> = [];
  let drainWaiters: Array<() => void> = [];
  let reserved = 0; // enqueues accepted but not yet durable, counted against maxSize
  let nextSeq = 0;
  let lastCreated = 0; // createdAt never decreases within this writer: it orders our ops
  let online = true;
  let leading = false;
  let closed = false;

  /** Adds ops in send order, skipping ones already queued. */
  const insert = (ops: readonly OutboxOp[]): void => {
    const known = new Set(queue.map((op) => op.id));
    const fresh = ops.filter((op) => !known.has(op.id));
    if (fresh.length === 0) return;
    queue.push(...fresh);
    queue.sort(compareOps);
  };
  const removeQueued = (id: string): OutboxOp | undefined => {
    const index = queue.findIndex((op) => op.id === id);
    return index < 0 ? undefined : queue.splice(index, 1)[0];
  };

  const setPending = (): void => {
    pending.set(queue.length);
    if (queue.length === 0 && reserved === 0 && drainWaiters.length > 0) {
      // Resolve once the tidy-up writes landed too, so storage is quiet when `drained` says so.
      void store.idle().then(() => {
        if (queue.length === 0 && reserved === 0) drainWaiters.splice(0).forEach((w) => w());
      });
    }
  };

  const ready = (async () => {
    try {
      const loaded = await store.scan();
      insert(loaded.added);
      setPending();
    } catch (err) {
      // Unreadable storage (e.g. a wrong key): reported, and every later enqueue refuses with it,
      // so nothing is written over ops this session cannot read.
      const error =
        err instanceof RxSyncError ? err : new RxSyncError('E_STORAGE_READ', `The outbox did not load: ${message(err)}`, { cause: err });
      errors.next(error);
      throw error;
    }
  })();
  // Apps that only watch errors$ must not crash on an unhandled rejection; `await ready` still throws.
  ready.catch(() => undefined);
  const whenReady = (then: () => void): void => void ready.then(then, () => undefined);

  /** Writes the staged ops as one segment; each enqueue resolves once it is durable. */
  const writeStaged = async (): Promise<void> => {
    const batch = staged;
    staged = [];
    try {
      await store.append(batch.map((s) => s.op));
    } catch (err) {
      reserved -= batch.length;
      batch.forEach((s) => s.reject(err));
      return;
    }
    reserved -= batch.length;
    insert(batch.map((s) => s.op));
    for (const { resolve } of batch) resolve();
    setPending();
    peers.post({ type: 'queued' });
    for (const scope of new Set(batch.map((s) => s.op.scope))) kick(scope);
  };

  // Re-reads storage for other instances' news; one scan at a time, a request during one runs after it.
  let scanning: Promise<void> | undefined;
  let scanAgain = false;
  const rescan = (): Promise<void> => {
    if (scanning !== undefined) {
      scanAgain = true;
      return scanning;
    }
    scanning = (async () => {
      do {
        scanAgain = false;
        try {
          const { added, gone } = await store.scan();
          if (closed) return;
          for (const id of gone) removeQueued(id);
          insert(added);
          setPending();
          for (const op of added) fromPeers.next(op);
          for (const scope of new Set(added.map((op) => op.scope))) kick(scope);
        } catch (err) {
          reportReadError(err);
        }
      } while (scanAgain && !closed);
    })().finally(() => (scanning = undefined));
    return scanning;
  };

  const receive = (message: PeerMessage): void => {
    if (closed) return;
    if (message.type === 'acked' && removeQueued(message.op.id) !== undefined) {
      setPending();
      acks.next({ op: message.op, result: message.result });
    } else if (message.type === 'dead' && removeQueued(message.letter.op.id) !== undefined) {
      setPending();
      dead.next(message.letter);
    }
    whenReady(() => void rescan());
  };
  const peers = joinPeers({
    prefix,
    writer,
    storage,
    locks: options.locks === null ? undefined : (options.locks ?? platformLocks()),
    leaseTtl: options.leaseTtl ?? 5000,
    rescanInterval: options.rescanInterval ?? 1000,
    now,
    receive,
    rescan: () => whenReady(() => void rescan()),
    ready,
  });
  const leaderSub = peers.leader$.subscribe((value) => {
    leading = value;
    // A new leader first reads what the others queued or finished, then replays.
    if (value) whenReady(() => void rescan().then(kickAll));
  });

  const onlineSub: Subscription = (options.online$ ?? onlineManager.value$).subscribe((value) => {
    online = value;
    if (value) whenReady(kickAll);
  });

  function kickAll(): void {
    for (const scope of new Set(queue.map((op) => op.scope))) kick(scope);
  }

  function kick(scope: string): void {
    if (closed || !online || !leading || running.has(scope)) return;
    running.add(scope);
    void drainScope(scope).finally(() => running.delete(scope));
  }

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  async function drainScope(scope: string): Promise<void> {
    while (!closed && online && leading) {
      const op = queue.find((o) => o.scope === scope);
      const sender = op && senders.get(op.name);
      if (op === undefined || sender === undefined) return; // waits for `register` or `enqueue`
      const controller = new AbortController();
      controllers.add(controller);
      let result: unknown;
      let failure: { error: unknown } | undefined;
      try {
        result = await sender(op, { signal: controller.signal, idempotencyKey: op.id });
      } catch (error) {
        failure = { error };
      } finally {
        controllers.delete(controller);
      }
      if (closed) return;
      try {
        if (failure === undefined) {
          await settle(op);
          acks.next({ op, result });
          peers.post({ type: 'acked', op, result });
          continue;
        }
        const { error } = failure;
        const attempts = op.attempts + 1;
        if (!isTransient(error) || attempts >= (options.retry?.maxAttempts ?? Infinity)) {
          const letter: DeadLetter = {
            op: { ...op, attempts, lastError: message(error) },
            error: message(error),
            deadAt: now(),
            ...statusOf(error),
          };
          await settle(op, [{ type: 'set', key: store.deadKey(op.id), value: letter }]);
          dead.next(letter);
          peers.post({ type: 'dead', letter });
          continue;
        }
        const updated: OutboxOp = { ...op, attempts, lastError: message(error) };
        const index = queue.indexOf(op);
        if (index < 0) continue; // another instance finished it meanwhile
        queue[index] = updated;
        await store.update(updated);
        await sleep(backoffDelay(attempts, { initialDelay: 1000, maxDelay: 60_000, ...options.retry }));
      } catch (err) {
        // Storage refused to record the outcome: stop this scope (reported on errors$). The op
        // stays queued and is sent again later; its idempotency key makes that harmless.
        reportWriteError(err);
        return;
      }
    }
  }

  /** Removes an op from the queue once its outcome is durable. */
  async function settle(op: OutboxOp, extra?: Parameters<typeof store.finish>[1]): Promise<void> {
    await store.finish(op, extra);
    removeQueued(op.id);
    setPending();
  }

  function reportReadError(err: unknown): void {
    errors.next(
      err instanceof RxSyncError
        ? err
        : new RxSyncError('E_STORAGE_READ', `Outbox could not read ${storage.name}: ${message(err)}`, { cause: err }),
    );
  }

  function reportWriteError(err: unknown): void {
    errors.next(
      err instanceof RxSyncError
        ? err
        : new RxSyncError('E_STORAGE_WRITE', `Outbox could not write to ${storage.name}: ${message(err)}`, { cause: err }),
    );
  }

  return {
    ready,
    register(name, sender) {
      senders.set(name, sender as OutboxSender);
      whenReady(kickAll);
      return () => {
        if (senders.get(name) === sender) senders.delete(name);
      };
    },

    async enqueue(name, payload, enqueueOptions = {}) {
      if (typeof name !== 'string' || name === '') throw new RxSyncError('E_OUTBOX_INVALID', 'An outbox op needs a non-empty name');
      if (closed) throw new RxSyncError('E_OUTBOX_CLOSED', 'The outbox is closed');
      await ready;
      if (queue.length + reserved >= maxSize) {
        throw new RxSyncError(
          'E_OUTBOX_FULL',
          `The outbox holds ${maxSize} ops already; refusing "${name}" rather than dropping older ones`,
          {
            details: { maxSize },
          },
        );
      }
      const op: OutboxOp<typeof payload> = {
        id: createId(),
        name,
        payload: jsonCopy(payload, name),
        scope: enqueueOptions.scope ?? 'default',
        seq: nextSeq++,
        writer,
        createdAt: (lastCreated = Math.max(now(), lastCreated)),
        attempts: 0,
        ...(options.clock ? { stamp: options.clock.tick() } : {}),
        ...(enqueueOptions.meta !== undefined ? { meta: jsonCopy(enqueueOptions.meta, name) } : {}),
      };
      reserved++;
      try {
        await new Promise<void>((resolve, reject) => {
          if (staged.push({ op, resolve, reject }) === 1) void Promise.resolve().then(writeStaged);
        });
      } catch (err) {
        throw new RxSyncError('E_STORAGE_WRITE', `"${name}" was not queued: ${storage.name} refused the write (${message(err)})`, {
          cause: err,
        });
      }
      return op;
    },

    pending$: pending,
    ack$: acks.asObservable(),
    deadLetter$: dead.asObservable(),
    fromPeers$: fromPeers.asObservable(),
    errors$: errors.asObservable(),
    pendingOps: () => queue.slice(),

    deadLetters: () => readDeadLetters(storage, prefix),

    async retryDeadLetter(id) {
      await ready; // it takes the next seq, known only once loaded
      const letter = await storage.get<DeadLetter>(store.deadKey(id));
      if (letter === undefined) throw new RxSyncError('E_OUTBOX_UNKNOWN', `No dead letter with id ${id}`);
      const op: OutboxOp = {
        ...validateOp(letter.op, store.deadKey(id)),
        seq: nextSeq++,
        writer,
        createdAt: (lastCreated = Math.max(now(), lastCreated)),
        attempts: 0,
      };
      await store.append([op], [{ type: 'remove', key: store.deadKey(id) }]);
      insert([op]);
      setPending();
      peers.post({ type: 'queued' });
      kick(op.scope);
    },

    async discardDeadLetter(id) {
      await store.write([{ type: 'remove', key: store.deadKey(id) }]);
    },

    drained: () =>
      queue.length === 0 && reserved === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            drainWaiters.push(resolve);
          }),

    close() {
      closed = true;
      onlineSub.unsubscribe();
      leaderSub.unsubscribe();
      peers.close();
      timers.forEach((t) => clearTimeout(t));
      timers.clear();
      controllers.forEach((c) => c.abort());
      drainWaiters = [];
      acks.complete();
      dead.complete();
      errors.complete();
      fromPeers.complete();
    },
  };
}

/** `navigator.locks` where the platform has Web Locks. */
function platformLocks(): LockManagerLike | undefined {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  return typeof locks?.request === 'function' ? locks : undefined;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function statusOf(error: unknown): { status?: number | string } {
  const e = error as { status?: unknown; code?: unknown } | null;
  if (typeof e?.status === 'number') return { status: e.status };
  if (typeof e?.code === 'string') return { status: e.code };
  return {};
}

/** Stores a JSON copy, so later mutation by the caller cannot change what was queued. */
function jsonCopy<T>(value: T, name: string): T {
  try {
    return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
  } catch (cause) {
    throw new RxSyncError('E_OUTBOX_INVALID', `The payload of "${name}" is not JSON-serializable: ${message(cause)}`, { cause });
  }
}
