import { BehaviorSubject } from 'rxjs';
import { delivery } from '../../../lib/outbox/delivery.js';
import type { OutboxOp } from '../../../lib/outbox/outboxOp.js';
import type { OutboxOutcome } from '../../../lib/outbox/outboxOutcome.js';
import { createOutboxQueue } from '../../../lib/outbox/outboxQueue.js';
import { createScopePipeline } from '../../../lib/outbox/scopePipeline.js';

/**
 * One scope's pipeline on its own: what happens when another instance finishes an op (its ack
 * arrives over the channel or a rescan) while this one still has it in flight.
 */
const op = (n: number): OutboxOp => ({ id: `op-${n}`, name: 'op', payload: n, scope: 's', seq: n, writer: 'w', createdAt: 1, attempts: 0 });

describe('scope pipeline', () => {
  it('an op finished elsewhere while in flight here is aborted, never settled here, and the ops behind it settle in order', async () => {
    const queue = createOutboxQueue();
    queue.insert([1, 2, 3].map(op));
    const calls = new Map<number, { signal: AbortSignal; answer: () => void }>();
    const sender = (o: OutboxOp, { signal }: { signal: AbortSignal }) =>
      new Promise<unknown>((resolve) => calls.set(o.payload as number, { signal, answer: () => resolve('ok') }));
    const settled: number[] = [];
    const policy = { retry: {}, isTransient: () => true, online$: new BehaviorSubject(true), onRetrying: () => undefined };
    const pipeline = createScopePipeline({
      scope: 's',
      queue,
      senderOf: () => ({ sender, window: 3 }),
      canSend: () => true,
      deliver: (o, s) => delivery(o, s, policy),
      settle: async (outcomes: readonly OutboxOutcome[]) => {
        await Promise.resolve();
        for (const outcome of outcomes) {
          settled.push(outcome.op.payload as number);
          queue.remove(outcome.op.id);
        }
      },
      onSettleFailed: (error) => {
        throw error;
      },
      onIdle: () => undefined,
    });
    pipeline.pump();
    expect([...calls.keys()]).toEqual([1, 2, 3]);
    calls.get(2)!.answer();
    calls.get(3)!.answer();
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toEqual([]); // waiting behind 1

    // Another instance finished op 1: it leaves the queue, and this pipeline lets go of it.
    queue.remove('op-1');
    pipeline.forget('op-1');
    expect(calls.get(1)!.signal.aborted).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toEqual([2, 3]);
    calls.get(1)!.answer(); // a late answer changes nothing
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toEqual([2, 3]);
    expect(queue.size).toBe(0);
  });
});
