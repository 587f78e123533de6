import { BehaviorSubject, firstValueFrom, take, toArray } from 'rxjs';
import { createHlc, createOutbox, isRxSyncError, type OutboxOp } from '../../../lib/index.js';
import { recordingStorage, storedOps } from '../../support/recordingStorage.js';

const deferred = <T = void>() => {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};
const httpError = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });
let ids = 0;
const createId = () => `op-${++ids}`;

describe('outbox', () => {
  it('reports an op queued only once it is in storage, and group-commits a burst', async () => {
    const storage = recordingStorage();
    const outbox = createOutbox({ storage, online$: new BehaviorSubject(false), createId });
    await outbox.ready;
    const queued = await Promise.all(Array.from({ length: 100 }, (_, i) => outbox.enqueue('add', { i })));
    // Every op is in storage by the time its promise resolved…
    const stored = new Set(storedOps(storage).map((op) => op.id));
    for (const op of queued) expect(stored.has(op.id)).toBe(true);
    // …and 100 enqueues in one turn cost at most two storage writes.
    expect(storage.batches).toBeLessThanOrEqual(2);
    expect(outbox.pending$.get()).toBe(100);
    expect(outbox.pendingOps().map((op) => (op.payload as { i: number }).i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    outbox.close();
  });

  it('replays in order within a scope, one at a time, and scopes in parallel', async () => {
    const storage = recordingStorage();
    const online$ = new BehaviorSubject(false);
    const outbox = createOutbox({ storage, online$, createId });
    const log: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred<void>>>();
    let inFlight = 0;
    let maxInFlightPerScope = 0;
    const perScope = new Map<string, number>();
    outbox.register<{ scope: string; n: number }>('op', async (op) => {
      const now = (perScope.get(op.scope) ?? 0) + 1;
      perScope.set(op.scope, now);
      maxInFlightPerScope = Math.max(maxInFlightPerScope, now);
      inFlight++;
      log.push(`start ${op.scope}${op.payload.n}`);
      const gate = deferred();
      gates.set(`${op.scope}${op.payload.n}`, gate);
      await gate.promise;
      inFlight--;
      perScope.set(op.scope, now - 1);
      log.push(`end ${op.scope}${op.payload.n}`);
    });
    for (const n of [1, 2]) for (const scope of ['a', 'b']) await outbox.enqueue('op', { scope, n }, { scope });
    online$.next(true);
    await new Promise((r) => setImmediate(r));
    expect(inFlight).toBe(2); // a1 and b1 together
    gates.get('a1')!.resolve();
    await new Promise((r) => setImmediate(r));
    gates.get('b1')!.resolve();
    await new Promise((r) => setImmediate(r));
    gates.get('a2')!.resolve();
    gates.get('b2')!.resolve();
    await outbox.drained();
    expect(maxInFlightPerScope).toBe(1);
    expect(log.filter((l) => /a\d$/.test(l))).toEqual(['start a1', 'end a1', 'start a2', 'end a2']);
    expect(log.filter((l) => /b\d$/.test(l))).toEqual(['start b1', 'end b1', 'start b2', 'end b2']);
    expect(storage.data.size).toBe(0);
    outbox.close();
  });

  it('retries transient failures with backoff and dead-letters permanent ones', async () => {
    jest.useFakeTimers();
    try {
      const storage = recordingStorage();
      const outbox = createOutbox({ storage, online$: new BehaviorSubject(true), createId, retry: { initialDelay: 100, jitter: 'none' } });
      const answers = [httpError(503), httpError(429), new TypeError('fetch failed'), 'ok'];
      const calls: number[] = [];
      outbox.register('flaky', async () => {
        calls.push(Date.now());
        const answer = answers.shift();
        if (answer instanceof Error) throw answer;
        return answer;
      });
      outbox.register('rejected', async () => {
        throw httpError(422);
      });
      const acks = firstValueFrom(outbox.ack$.pipe(take(1), toArray()));
      const dead = firstValueFrom(outbox.deadLetter$);
      await outbox.enqueue('flaky', { n: 1 });
      await outbox.enqueue('rejected', { n: 2 }, { scope: 'other' });
      await jest.advanceTimersByTimeAsync(100 + 200 + 400);
      const [ack] = await acks;
      expect(ack!.result).toBe('ok');
      expect(calls.map((t) => t - calls[0]!)).toEqual([0, 100, 300, 700]);
      const letter = await dead;
      expect(letter).toMatchObject({ status: 422, error: 'HTTP 422', op: { name: 'rejected', attempts: 1 } });
      expect(await outbox.deadLetters()).toHaveLength(1);
      expect(outbox.pending$.get()).toBe(0);
      outbox.close();
    } finally {
      jest.useRealTimers();
    }
  });

  it('persists attempts, waits while offline, resumes when online', async () => {
    const storage = recordingStorage();
    const online$ = new BehaviorSubject(true);
    const outbox = createOutbox({ storage, online$, createId, retry: { initialDelay: 1, jitter: 'none' } });
    let fail = true;
    const sent: number[] = [];
    outbox.register<number>('x', async (op) => {
      if (fail) {
        fail = false;
        online$.next(false);
        throw new TypeError('network down');
      }
      sent.push(op.payload);
    });
    await outbox.enqueue('x', 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toEqual([]);
    const update = [...storage.data.entries()].find(([key]) => key.includes(':upd:'))?.[1] as OutboxOp;
    expect(update).toMatchObject({ attempts: 1, lastError: 'network down' });
    online$.next(true);
    await outbox.drained();
    expect(sent).toEqual([1]);
    outbox.close();
  });

  it('stamps each op with the hybrid logical clock when given one, in queue order', async () => {
    let wall = 5_000;
    const clock = createHlc({ nodeId: 'laptop', now: () => wall });
    const outbox = createOutbox({ storage: recordingStorage(), online$: new BehaviorSubject(false), clock, createId });
    const a = await outbox.enqueue('x', 1);
    wall = 1_000; // the wall clock jumps back: stamps still grow
    const b = await outbox.enqueue('x', 2);
    expect(a.stamp).toBeDefined();
    expect(b.stamp! > a.stamp!).toBe(true);
    expect(outbox.pendingOps().map((op) => op.stamp)).toEqual([a.stamp, b.stamp]);
    outbox.close();
  });

  it('a full outbox refuses new ops with E_OUTBOX_FULL and keeps the old ones', async () => {
    const outbox = createOutbox({ storage: recordingStorage(), online$: new BehaviorSubject(false), maxSize: 3, createId });
    await Promise.all([1, 2, 3].map((n) => outbox.enqueue('x', n)));
    const err = await outbox.enqueue('x', 4).catch((e: unknown) => e);
    expect(isRxSyncError(err, 'E_OUTBOX_FULL')).toBe(true);
    expect(outbox.pendingOps().map((op) => op.payload)).toEqual([1, 2, 3]);
    outbox.close();
  });

  it('an op is not reported queued when storage refuses the write', async () => {
    const storage = recordingStorage();
    const outbox = createOutbox({ storage, online$: new BehaviorSubject(false), createId });
    await outbox.ready;
    storage.failWrites(1, new Error('QuotaExceededError'));
    const err = await outbox.enqueue('x', 1).catch((e: unknown) => e);
    expect(isRxSyncError(err, 'E_STORAGE_WRITE')).toBe(true);
    expect((err as Error).message).toMatch(/QuotaExceededError/);
    expect(outbox.pendingOps()).toEqual([]);
    await outbox.enqueue('x', 2);
    expect(outbox.pendingOps().map((op) => op.payload)).toEqual([2]);
    outbox.close();
  });

  it('after a reload the ops replay in order once their sender is registered again', async () => {
    const storage = recordingStorage();
    const first = createOutbox({ storage, online$: new BehaviorSubject(false), createId });
    for (const n of [1, 2, 3]) await first.enqueue('add', n);
    first.close();

    const second = createOutbox({ storage, online$: new BehaviorSubject(true), createId });
    await second.ready;
    expect(second.pending$.get()).toBe(3);
    const sent: number[] = [];
    second.register<number>('add', async (op) => void sent.push(op.payload));
    await second.drained();
    expect(sent).toEqual([1, 2, 3]);
    // New ops continue the order after the reloaded ones.
    await second.enqueue('add', 4);
    await second.drained();
    expect(sent).toEqual([1, 2, 3, 4]);
    second.close();
  });

  it('a corrupt stored entry is reported by key and field; the rest replays', async () => {
    const storage = recordingStorage();
    const first = createOutbox({ storage, online$: new BehaviorSubject(false), createId });
    await first.enqueue('add', 1);
    await first.enqueue('add', 2);
    first.close();
    const [key] = [...storage.data.keys()].filter((k) => k.includes(':seg:')).sort();
    const segment = storage.data.get(key!) as { ops: unknown[] };
    segment.ops[0] = JSON.parse(
      '{"id":"x","name":"add","scope":"default","seq":"zero","attempts":0,"createdAt":1,"__proto__":{"polluted":1}}',
    );
    const second = createOutbox({ storage, online$: new BehaviorSubject(true), createId });
    const errors: Error[] = [];
    second.errors$.subscribe((e) => errors.push(e));
    const sent: number[] = [];
    second.register<number>('add', async (op) => void sent.push(op.payload));
    await second.ready;
    await second.drained();
    expect(sent).toEqual([2]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(new RegExp(`${key}\\.ops\\[0\\]: seq must be an integer`));
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(storage.data.has(key!)).toBe(true); // left for inspection, not deleted
    second.close();
  });

  it('dead letters can be retried or discarded', async () => {
    const storage = recordingStorage();
    const outbox = createOutbox({ storage, online$: new BehaviorSubject(true), createId });
    let accept = false;
    outbox.register('x', async () => {
      if (!accept) throw httpError(409);
    });
    const dead = firstValueFrom(outbox.deadLetter$);
    const op = await outbox.enqueue('x', 'payload');
    await dead;
    accept = true;
    const ack = firstValueFrom(outbox.ack$);
    await outbox.retryDeadLetter(op.id);
    expect((await ack).op.id).toBe(op.id);
    expect(await outbox.deadLetters()).toEqual([]);
    accept = false;
    const dead2 = firstValueFrom(outbox.deadLetter$);
    const op2 = await outbox.enqueue('x', 'again');
    await dead2;
    await outbox.discardDeadLetter(op2.id);
    expect(await outbox.deadLetters()).toEqual([]);
    expect(storage.data.size).toBe(0);
    outbox.close();
  });

  it('10,000 enqueue/ack cycles leave no timers, pending entries or stored keys', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      const storage = recordingStorage();
      const online$ = new BehaviorSubject(true);
      const outbox = createOutbox({ storage, online$, createId });
      let acked = 0;
      outbox.ack$.subscribe(() => acked++);
      outbox.register('x', async () => 'ok');
      for (let i = 0; i < 10_000; i++) {
        await outbox.enqueue('x', i);
        if (i % 1000 === 999) await outbox.drained();
      }
      await outbox.drained();
      expect(acked).toBe(10_000);
      expect(outbox.pendingOps()).toEqual([]);
      expect(storage.data.size).toBe(0);
      expect(jest.getTimerCount()).toBe(0);
      outbox.close();
      expect(online$.observed).toBe(false); // the online listener is gone after close
    } finally {
      jest.useRealTimers();
    }
  });
});
