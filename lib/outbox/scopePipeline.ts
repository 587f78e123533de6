import type { Observable, Subscription } from 'rxjs';
import type { OutboxOp } from './outboxOp.js';
import type { OutboxOutcome } from './outboxOutcome.js';
import type { OutboxQueue } from './outboxQueue.js';
import type { OutboxSender } from './outboxTypes.js';

/** A registered sender and its pipelining window. */
export interface SenderEntry {
  readonly sender: OutboxSender;
  /** How many ops of one scope may be in flight at once (≥ 1). */
  readonly window: number;
}

/** What a {@link ScopePipeline} works with. */
export interface ScopePipelineDeps {
  readonly scope: string;
  readonly queue: OutboxQueue;
  readonly senderOf: (name: string) => SenderEntry | undefined;
  /** Whether new deliveries may start (open, online, leading). */
  readonly canSend: () => boolean;
  readonly deliver: (op: OutboxOp, sender: OutboxSender) => Observable<OutboxOutcome>;
  /**
   * Makes outcomes durable and removes their ops from the queue, in the given order; rejects
   * when storage refused (the ops stay queued).
   */
  readonly settle: (outcomes: readonly OutboxOutcome[]) => Promise<void>;
  /** Told when storage refused to record outcomes: this pipeline stopped. */
  readonly onSettleFailed: (error: unknown) => void;
  /** Told when nothing is in flight or settling any more. */
  readonly onIdle: () => void;
}

/** The sending of one scope's ops. */
export interface ScopePipeline {
  /** Starts whatever the window allows now. */
  pump(): void;
  /** An op left the queue some other way (another instance finished it): stops delivering it. */
  forget(id: string): void;
  /** Aborts every delivery not being recorded; their ops stay queued and are sent again later. */
  stop(): void;
}

interface Flight {
  readonly window: number;
  subscription?: Subscription;
  outcome?: OutboxOutcome;
  settling: boolean;
}

/**
 * Sends one scope's ops through their senders, up to a window of them in flight, and settles
 * their outcomes strictly in queue order: an op's ack or dead letter is recorded only after
 * every earlier op of the scope settled, however the answers arrive. A window is per sender: the
 * op at position `i` of the scope (counting ops in flight or being recorded) starts only when
 * `i` is below the window of every sender up to it, so a window-1 sender (plain HTTP) still sees
 * its scope one op at a time. An op whose sender is not registered holds back everything after it.
 */
export function createScopePipeline(deps: ScopePipelineDeps): ScopePipeline {
  const { scope, queue } = deps;
  const flights = new Map<string, Flight>();
  let settling = false;

  const idleCheck = (): void => {
    if (flights.size === 0 && !settling) deps.onIdle();
  };

  function pump(): void {
    if (!deps.canSend()) return;
    let limit = Infinity;
    // Read live: starting a delivery never changes the queue synchronously (answers are promises).
    const ops = queue.ofScope(scope);
    for (let i = 0; i < ops.length && i < limit; i++) {
      const op = ops[i]!;
      const flight = flights.get(op.id);
      if (flight !== undefined) {
        limit = Math.min(limit, flight.window);
        continue;
      }
      const entry = deps.senderOf(op.name);
      if (entry === undefined) break; // waits for `register`; later ops keep their place behind it
      limit = Math.min(limit, entry.window);
      if (i >= limit) break;
      start(op, entry);
    }
  }

  function start(op: OutboxOp, entry: SenderEntry): void {
    const flight: Flight = { window: entry.window, settling: false };
    flights.set(op.id, flight);
    const subscription = deps.deliver(op, entry.sender).subscribe((outcome) => {
      if (flights.get(op.id) !== flight) return;
      flight.outcome = outcome;
      void settleHeads();
    });
    if (flights.get(op.id) === flight) flight.subscription = subscription;
  }

  /** Records the longest run of finished ops at the head of the scope, one run at a time. */
  async function settleHeads(): Promise<void> {
    if (settling) return;
    settling = true;
    try {
      for (;;) {
        const run: Array<{ id: string; outcome: OutboxOutcome }> = [];
        for (const op of queue.ofScope(scope)) {
          const outcome = flights.get(op.id)?.outcome;
          if (outcome === undefined) break;
          run.push({ id: op.id, outcome });
        }
        if (run.length === 0) break;
        for (const { id } of run) flights.get(id)!.settling = true;
        try {
          await deps.settle(run.map((r) => r.outcome));
        } catch (error) {
          // Storage refused: stop here; the ops stay queued and go again on the next kick
          // (their idempotency keys make that harmless).
          for (const { id } of run) flights.delete(id);
          stop();
          deps.onSettleFailed(error);
          break;
        }
        for (const { id } of run) flights.delete(id);
        pump();
      }
    } finally {
      settling = false;
      idleCheck();
    }
  }

  function drop(id: string, flight: Flight): void {
    flights.delete(id);
    flight.subscription?.unsubscribe();
  }

  function stop(): void {
    // Outcomes already being recorded finish; every other delivery is aborted, and answers that
    // arrived but wait behind an earlier op are dropped (nothing settles out of order).
    for (const [id, flight] of flights) if (!flight.settling) drop(id, flight);
    idleCheck();
  }

  return {
    pump,
    forget(id) {
      const flight = flights.get(id);
      if (flight === undefined || flight.settling) return; // being recorded here: the queue removal is ours
      drop(id, flight);
      pump();
      void settleHeads(); // the head may have moved past it
    },
    stop,
  };
}
