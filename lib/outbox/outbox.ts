import { BehaviorSubject, Subject } from 'rxjs';
import { onlineManager } from '../environment/onlineManager.js';
import { RxSyncError } from '../errors.js';
import { checkOptions } from '../options/checkOptions.js';
import { outboxOptionSpec } from '../options/specs.js';
import { randomId } from '../randomId.js';
import { createOpIds } from './opIds.js';
import { createEnqueueStaging } from './enqueueStaging.js';
import { isTransientError } from './isTransientError.js';
import { validateOp, type DeadLetter, type OutboxOp } from './outboxOp.js';
import { errorMessage } from './outboxOutcome.js';
import { joinPeers, platformLocks, type PeerMessage } from './outboxPeers.js';
import { createOutboxQueue } from './outboxQueue.js';
import { createOutboxStore, readDeadLetters } from './outboxStore.js';
import type { Outbox, OutboxOptions, OutboxSender } from './outboxTypes.js';
import { checkRegisterOptions } from './registerOptions.js';
import { createPendingCount } from './pendingCount.js';
import { createReplay } from './replay.js';
import { serialScan } from './serialScan.js';

export type { EnqueueOptions, Outbox, OutboxOptions, OutboxSender, RegisterOptions } from './outboxTypes.js';

/**
 * Creates an outbox over `storage`. `enqueue` resolves only after the op reached storage (many
 * enqueues share one write: group commit). When online, ops replay in order per scope (scopes in
 * parallel); each carries its id as the idempotency key. A sender registered with a `window`
 * gets up to that many ops of a scope at once, their outcomes still recorded in queue order.
 * Transient failures retry with backoff (`retryBackoff`); permanent ones, and a `RefusedError`,
 * move the op to the dead letters.
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
  const now = options.now ?? Date.now;
  const queue = createOutboxQueue();
  const acks = new Subject<{ op: OutboxOp; result: unknown }>();
  const dead = new Subject<DeadLetter>();
  const errors = new Subject<RxSyncError>();
  const fromPeers = new Subject<OutboxOp>();
  const queued = new Subject<OutboxOp>();
  const online$ = new BehaviorSubject(true);
  const writer = randomId().replace(/-/g, '').slice(0, 16);
  const store = createOutboxStore(storage, prefix, writer, (error) => errors.next(error));
  let leading = false;
  let closed = false;

  const staging = createEnqueueStaging({
    store,
    storageName: storage.name,
    maxSize: options.maxSize ?? 10_000,
    now,
    createId: options.createId ?? createOpIds(),
    clock: options.clock,
    queued: () => queue.size,
    onDurable: (ops) => {
      queue.insert(ops);
      setPending();
      if (queued.observed) for (const op of ops) queued.next(op);
      peers.post({ type: 'queued' });
      for (const scope of new Set(ops.map((op) => op.scope))) replay.kick(scope);
    },
  });

  const count = createPendingCount({ queued: () => queue.size, reserved: () => staging.reserved, idle: () => store.idle() });
  const setPending = (): void => count.update();

  /** An op another instance finished: out of the queue, and no longer delivered here. */
  const finishedElsewhere = (id: string): OutboxOp | undefined => {
    const op = queue.remove(id);
    if (op !== undefined) replay.forget(op);
    return op;
  };

  const ready = (async () => {
    try {
      queue.insert((await store.scan()).added);
      setPending();
    } catch (err) {
      // Unreadable storage (e.g. a wrong key): reported, and every later enqueue refuses with it,
      // so nothing is written over ops this session cannot read.
      const error =
        err instanceof RxSyncError
          ? err
          : new RxSyncError('E_STORAGE_READ', `The outbox did not load: ${errorMessage(err)}`, { cause: err });
      errors.next(error);
      throw error;
    }
  })();
  // Apps that only watch errors$ must not crash on an unhandled rejection; `await ready` still throws.
  ready.catch(() => undefined);
  const whenReady = (then: () => void): void => void ready.then(then, () => undefined);

  // Re-reads storage for other instances' news: ops they queued, ops they finished.
  const rescan = serialScan(
    async () => {
      try {
        const { added, gone } = await store.scan();
        if (closed) return;
        for (const id of gone) finishedElsewhere(id);
        const fresh = queue.insert(added);
        setPending();
        for (const op of fresh) fromPeers.next(op);
        for (const scope of new Set(fresh.map((op) => op.scope))) replay.kick(scope);
      } catch (err) {
        reportError('E_STORAGE_READ', 'read', err);
      }
    },
    () => closed,
  );

  const receive = (message: PeerMessage): void => {
    if (closed) return;
    if (message.type === 'acked' && finishedElsewhere(message.op.id) !== undefined) {
      setPending();
      acks.next({ op: message.op, result: message.result });
    } else if (message.type === 'dead' && finishedElsewhere(message.letter.op.id) !== undefined) {
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
  const replay = createReplay({
    queue,
    store,
    retry: options.retry ?? {},
    isTransient: options.isTransient ?? isTransientError,
    online$,
    mayLead: () => !closed && leading,
    acks,
    dead,
    // A write landing after close: the channel is gone, and the next leader rescans anyway.
    post: (message) => (closed ? undefined : peers.post(message)),
    now,
    onSettled: setPending,
    onWriteError: (err) => reportError('E_STORAGE_WRITE', 'write to', err),
  });
  const leaderSub = peers.leader$.subscribe((value) => {
    leading = value;
    // A new leader first reads what the others queued or finished, then replays; a former one
    // aborts what it had in flight (the new leader sends those ops again, each under its key).
    if (value) whenReady(() => void rescan().then(replay.kickAll));
    else replay.stopAll();
  });
  const onlineSub = (options.online$ ?? onlineManager.value$).subscribe((value) => {
    online$.next(value);
    if (value) whenReady(replay.kickAll);
  });

  function reportError(code: 'E_STORAGE_READ' | 'E_STORAGE_WRITE', verb: string, err: unknown): void {
    errors.next(
      err instanceof RxSyncError
        ? err
        : new RxSyncError(code, `Outbox could not ${verb} ${storage.name}: ${errorMessage(err)}`, { cause: err }),
    );
  }

  return {
    ready,
    register(name, sender, registerOptions) {
      const unregister = replay.register(name, { sender: sender as OutboxSender, window: checkRegisterOptions(registerOptions).window });
      whenReady(replay.kickAll);
      return unregister;
    },

    async enqueue(name, payload, enqueueOptions = {}) {
      if (typeof name !== 'string' || name === '') throw new RxSyncError('E_OUTBOX_INVALID', 'An outbox op needs a non-empty name');
      if (closed) throw new RxSyncError('E_OUTBOX_CLOSED', 'The outbox is closed');
      await ready;
      return staging.enqueue(name, payload, enqueueOptions);
    },

    pending$: count.pending$,
    ack$: acks.asObservable(),
    deadLetter$: dead.asObservable(),
    fromPeers$: fromPeers.asObservable(),
    queued$: queued.asObservable(),
    leader$: peers.leader$,
    errors$: errors.asObservable(),
    pendingOps: () => queue.all(),

    deadLetters: () => readDeadLetters(storage, prefix),

    async retryDeadLetter(id) {
      await ready; // it takes the next seq, known only once loaded
      const letter = await storage.get<DeadLetter>(store.deadKey(id));
      if (letter === undefined) throw new RxSyncError('E_OUTBOX_UNKNOWN', `No dead letter with id ${id}`);
      const op: OutboxOp = { ...validateOp(letter.op, store.deadKey(id)), ...staging.nextPosition(), attempts: 0 };
      await store.append([op], [{ type: 'remove', key: store.deadKey(id) }]);
      queue.insert([op]);
      setPending();
      queued.next(op);
      peers.post({ type: 'queued' });
      replay.kick(op.scope);
    },

    async discardDeadLetter(id) {
      await store.write([{ type: 'remove', key: store.deadKey(id) }]);
    },

    drained: () => count.drained(),

    close() {
      closed = true;
      onlineSub.unsubscribe();
      leaderSub.unsubscribe();
      peers.close();
      // Aborts every delivery and cancels every pending retry; unsettled ops stay in storage.
      replay.stopAll();
      count.close();
      online$.complete();
      acks.complete();
      dead.complete();
      errors.complete();
      fromPeers.complete();
      queued.complete();
    },
  };
}
