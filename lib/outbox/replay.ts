import type { BehaviorSubject, Subject } from 'rxjs';
import type { BackoffOptions } from '../backoff.js';
import { delivery, type DeliveryPolicy } from './delivery.js';
import type { DeadLetter, OutboxOp } from './outboxOp.js';
import type { PeerMessage } from './outboxPeers.js';
import type { OutboxQueue } from './outboxQueue.js';
import type { OutboxStore } from './outboxStore.js';
import { createScopePipeline, type ScopePipeline, type SenderEntry } from './scopePipeline.js';
import { createSettler } from './settleOutcomes.js';

/** What {@link createReplay} works with. */
export interface ReplayDeps {
  readonly queue: OutboxQueue;
  readonly store: OutboxStore;
  readonly retry: BackoffOptions & { maxAttempts?: number };
  readonly isTransient: (error: unknown) => boolean;
  readonly online$: BehaviorSubject<boolean>;
  /** Whether this instance may send now (open and leading; `online$` is checked here). */
  readonly mayLead: () => boolean;
  readonly acks: Subject<{ op: OutboxOp; result: unknown }>;
  readonly dead: Subject<DeadLetter>;
  readonly post: (message: PeerMessage) => void;
  readonly now: () => number;
  /** Told after settled ops left the queue. */
  readonly onSettled: () => void;
  /** Told when storage refused to record an outcome or an attempt. */
  readonly onWriteError: (error: unknown) => void;
}

/** The send side of an outbox: registered senders and one pipeline per scope with ops to send. */
export interface Replay {
  /** Registers a sender; returns its unregistration. */
  register(name: string, entry: SenderEntry): () => void;
  /** Sends what the scope's window allows, if this instance may send. */
  kick(scope: string): void;
  /** Kicks every scope with queued ops. */
  kickAll(): void;
  /** An op another instance finished: stop delivering it here. */
  forget(op: OutboxOp): void;
  /** Aborts every delivery and pending retry (leadership lost, closed); ops stay queued. */
  stopAll(): void;
}

/** Creates the {@link Replay} of one outbox. */
export function createReplay(deps: ReplayDeps): Replay {
  const { queue } = deps;
  const senders = new Map<string, SenderEntry>();
  const pipelines = new Map<string, ScopePipeline>();
  const canSend = (): boolean => deps.mayLead() && deps.online$.value;

  const settle = createSettler({
    store: deps.store,
    remove: (id) => queue.remove(id),
    acks: deps.acks,
    dead: deps.dead,
    post: deps.post,
    now: deps.now,
    onRemoved: deps.onSettled,
  });
  const policy: DeliveryPolicy = {
    retry: deps.retry,
    isTransient: deps.isTransient,
    online$: deps.online$,
    onRetrying: (op) => {
      if (!queue.replace(op)) return; // another instance finished it meanwhile
      deps.store.update(op).catch((err: unknown) => {
        // Storage refused to record the attempt: stop this scope (reported); its ops stay queued.
        pipelines.get(op.scope)?.stop();
        deps.onWriteError(err);
      });
    },
  };

  const kick = (scope: string): void => {
    if (!canSend()) return;
    let pipeline = pipelines.get(scope);
    if (pipeline === undefined) {
      const created = createScopePipeline({
        scope,
        queue,
        senderOf: (name) => senders.get(name),
        canSend,
        deliver: (op, sender) => delivery(op, sender, policy),
        settle,
        onSettleFailed: deps.onWriteError,
        onIdle: () => {
          if (pipelines.get(scope) === created) pipelines.delete(scope);
        },
      });
      pipelines.set(scope, (pipeline = created));
    }
    pipeline.pump();
  };

  return {
    register(name, entry) {
      senders.set(name, entry);
      return () => {
        if (senders.get(name) === entry) senders.delete(name);
      };
    },
    kick,
    kickAll() {
      for (const scope of queue.scopes()) kick(scope);
    },
    forget(op) {
      pipelines.get(op.scope)?.forget(op.id);
    },
    stopAll() {
      for (const pipeline of [...pipelines.values()]) pipeline.stop();
    },
  };
}
