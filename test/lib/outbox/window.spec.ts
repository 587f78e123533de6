import fc from 'fast-check';
import { BehaviorSubject } from 'rxjs';
import {
  createOutbox,
  isRxSyncError,
  memoryStorage,
  RefusedError,
  type DeadLetter,
  type OutboxOp,
  type Storage,
} from '../../../lib/index.js';
import { localforageStorage } from '../../../lib/storage/localforageStorage.js';
import { createVirtualClock } from '../../../testing/index.js';
import { fcParams } from '../../support/fc.js';
import { recordingStorage } from '../../support/recordingStorage.js';

/**
 * The pipelining window: up to `window` ops of a scope in flight to a sender at once, their
 * outcomes recorded and announced strictly in queue order, whatever order the answers come in.
 */

interface Call {
  readonly op: OutboxOp<{ n: number }>;
  readonly signal: AbortSignal;
  answer(value?: unknown): void;
  fail(error: unknown): void;
}

/** A sender whose calls wait until the test answers them. */
function heldSender() {
  const calls: Call[] = [];
  const open = new Set<Call>();
  const sender = (op: OutboxOp<{ n: number }>, { signal }: { signal: AbortSignal }) =>
    new Promise<unknown>((resolve, reject) => {
      const call: Call = {
        op,
        signal,
        answer: (value) => (open.delete(call), resolve(value)),
        fail: (error) => (open.delete(call), reject(error)),
      };
      calls.push(call);
      open.add(call);
      signal.addEventListener('abort', () => open.delete(call));
    });
  const inFlight = (scope?: string) => [...open].filter((c) => scope === undefined || c.op.scope === scope);
  const callFor = (n: number) => [...open].find((c) => c.op.payload.n === n);
  return { calls, sender, inFlight, callFor };
}

/** Lets every pending promise, storage write and zero-delay timer run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setImmediate(resolve));
  }
};

/** Every ack and dead letter, in the order they were announced. */
function outcomes(outbox: ReturnType<typeof createOutbox>) {
  const seen: Array<{ n: number; scope: string; how: 'ack' | 'dead' }> = [];
  outbox.ack$.subscribe(({ op }) => seen.push({ n: (op.payload as { n: number }).n, scope: op.scope, how: 'ack' }));
  outbox.deadLetter$.subscribe(({ op }) => seen.push({ n: (op.payload as { n: number }).n, scope: op.scope, how: 'dead' }));
  return seen;
}

const transient = () => Object.assign(new Error('HTTP 503'), { status: 503 });

describe('outbox pipelining window', () => {
  it('keeps at most `window` ops of a scope in flight, fills the window, and settles in queue order whatever the answer order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.constantFrom('a', 'b'), { minLength: 1, maxLength: 16 }),
        fc.infiniteStream(fc.tuple(fc.nat(), fc.constantFrom('ok', 'ok', 'ok', 'transient', 'refuse'))),
        async (window, scopes, answers) => {
          const storage = memoryStorage();
          const online$ = new BehaviorSubject(false);
          const outbox = createOutbox({ storage, online$, retry: { initialDelay: 0, jitter: 'none' } });
          const held = heldSender();
          outbox.register('op', held.sender, { window });
          const seen = outcomes(outbox);
          const lastAnswer = new Map<number, string>();
          try {
            for (const [n, scope] of scopes.entries()) await outbox.enqueue('op', { n }, { scope });
            online$.next(true);
            const picks = answers[Symbol.iterator]();
            for (let step = 0; step < 500 && outbox.pending$.get() > 0; step++) {
              await settle();
              for (const scope of ['a', 'b']) {
                const flying = held.inFlight(scope).length;
                const settled = new Set(seen.filter((o) => o.scope === scope).map((o) => o.n));
                const left = scopes.filter((s, n) => s === scope && !settled.has(n)).length;
                // Answered for good but waiting behind an earlier op: still holds its place in the window.
                const waiting = [...lastAnswer].filter(([n, how]) => scopes[n] === scope && how !== 'transient' && !settled.has(n)).length;
                expect(flying + waiting).toBeLessThanOrEqual(window);
                // The window is used: as many out as it allows (or as are left).
                expect(flying + waiting).toBe(Math.min(window, left));
              }
              const open = held.inFlight();
              if (open.length === 0) continue;
              const [index, how] = picks.next().value as [number, string];
              const call = open[index % open.length]!;
              lastAnswer.set(call.op.payload.n, how);
              if (how === 'ok') call.answer('ok');
              else if (how === 'transient') call.fail(transient());
              else call.fail(new RefusedError('E_REFUSED_TEST', `no to ${call.op.payload.n}`));
            }
            await outbox.drained();
            for (const scope of ['a', 'b']) {
              const queued = [...scopes.entries()].filter(([, s]) => s === scope).map(([n]) => n);
              expect(seen.filter((o) => o.scope === scope).map((o) => o.n)).toEqual(queued);
            }
            // Dead exactly when the last answer was a refusal; each op settled once.
            for (const o of seen) expect(o.how).toBe(lastAnswer.get(o.n) === 'refuse' ? 'dead' : 'ack');
            expect(seen).toHaveLength(scopes.length);
            const keys = await storage.keys('rxsync:outbox:');
            expect(keys.filter((k) => !k.includes(':dead:'))).toEqual([]);
          } finally {
            outbox.close();
          }
        },
      ),
      fcParams(25),
    );
  });

  it('a transient failure mid-window is retried with backoff (attempts persisted) and nothing after it settles first', async () => {
    const clock = createVirtualClock();
    try {
      const storage = recordingStorage();
      const outbox = createOutbox({ storage, online$: new BehaviorSubject(true), retry: { initialDelay: 100, jitter: 'none' } });
      const held = heldSender();
      outbox.register('op', held.sender, { window: 4 });
      const seen = outcomes(outbox);
      for (const n of [1, 2, 3, 4]) await outbox.enqueue('op', { n });
      await clock.advance(0);
      expect(held.inFlight().map((c) => c.op.payload.n)).toEqual([1, 2, 3, 4]);
      held.callFor(4)!.answer();
      held.callFor(2)!.fail(transient());
      held.callFor(3)!.answer();
      held.callFor(1)!.answer();
      await clock.advance(0);
      expect(seen.map((o) => o.n)).toEqual([1]); // 3 and 4 answered, but wait behind 2
      const stored = [...storage.data.entries()].find(([key]) => key.includes(':upd:'))?.[1] as OutboxOp;
      expect(stored).toMatchObject({ attempts: 1, lastError: 'HTTP 503', payload: { n: 2 } });
      await clock.advance(99);
      expect(held.inFlight()).toEqual([]); // the backoff has not elapsed
      await clock.advance(1);
      const retry = held.callFor(2)!;
      expect(retry.op.attempts).toBe(1);
      retry.fail(transient());
      await clock.advance(199);
      expect(held.inFlight()).toEqual([]); // the second delay doubled
      await clock.advance(1);
      held.callFor(2)!.answer();
      await clock.advance(0);
      await outbox.drained();
      expect(seen.map((o) => `${o.how}${o.n}`)).toEqual(['ack1', 'ack2', 'ack3', 'ack4']);
      expect(held.calls.map((c) => c.op.payload.n)).toEqual([1, 2, 3, 4, 2, 2]);
      expect(storage.data.size).toBe(0);
      outbox.close();
    } finally {
      clock.dispose();
    }
  });

  it('gives up after maxAttempts deliveries, with the count in the dead letter, and close cancels a pending retry', async () => {
    const clock = createVirtualClock();
    try {
      const storage = recordingStorage();
      const outbox = createOutbox({
        storage,
        online$: new BehaviorSubject(true),
        retry: { initialDelay: 10, jitter: 'none', maxAttempts: 3 },
      });
      let calls = 0;
      outbox.register('op', async () => {
        calls++;
        throw transient();
      });
      const dead: DeadLetter[] = [];
      outbox.deadLetter$.subscribe((letter) => dead.push(letter));
      await outbox.enqueue('op', { n: 1 });
      await clock.advance(10 + 20);
      expect(calls).toBe(3);
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({ status: 503, op: { attempts: 3, lastError: 'HTTP 503' } });

      await outbox.enqueue('op', { n: 2 });
      await clock.advance(0);
      expect(calls).toBe(4);
      expect(clock.pending()).toBe(1); // the retry's backoff
      outbox.close();
      expect(clock.pending()).toBe(0);
      await clock.advance(1000);
      expect(calls).toBe(4);
    } finally {
      clock.dispose();
    }
  });

  it('a refusal mid-window dead-letters only that op, with its code, in its place in the order', async () => {
    const storage = memoryStorage();
    const outbox = createOutbox({ storage, online$: new BehaviorSubject(true) });
    const held = heldSender();
    outbox.register('op', held.sender, { window: 3 });
    const seen = outcomes(outbox);
    const letters: DeadLetter[] = [];
    outbox.deadLetter$.subscribe((letter) => letters.push(letter));
    for (const n of [1, 2, 3]) await outbox.enqueue('op', { n });
    await settle();
    held.callFor(3)!.answer();
    held.callFor(2)!.fail(new RefusedError('E_FORBIDDEN', 'not yours'));
    await settle();
    expect(seen).toEqual([]); // 1 is still out
    held.callFor(1)!.answer();
    await outbox.drained();
    expect(seen.map((o) => `${o.how}${o.n}`)).toEqual(['ack1', 'dead2', 'ack3']);
    expect(letters[0]).toMatchObject({ status: 'E_FORBIDDEN', error: 'not yours', op: { attempts: 1 } });
    expect(held.calls).toHaveLength(3); // the refusal was not retried
    outbox.close();
  });

  it('offline mid-window: answers in flight still settle, nothing new starts, a failure waits for the network', async () => {
    const online$ = new BehaviorSubject(true);
    const storage = recordingStorage();
    const outbox = createOutbox({ storage, online$, retry: { initialDelay: 0, jitter: 'none' } });
    const held = heldSender();
    outbox.register('op', held.sender, { window: 3 });
    const seen = outcomes(outbox);
    for (const n of [1, 2, 3, 4, 5]) await outbox.enqueue('op', { n });
    await settle();
    expect(held.inFlight().map((c) => c.op.payload.n)).toEqual([1, 2, 3]);
    online$.next(false);
    held.callFor(1)!.answer();
    held.callFor(2)!.fail(new TypeError('network down'));
    await settle();
    expect(seen.map((o) => o.n)).toEqual([1]);
    expect(held.inFlight().map((c) => c.op.payload.n)).toEqual([3]); // no retry of 2, no start of 4
    const stored = [...storage.data.entries()].find(([key]) => key.includes(':upd:'))?.[1] as OutboxOp;
    expect(stored).toMatchObject({ attempts: 1, lastError: 'network down' }); // counted and kept all the same
    online$.next(true);
    await settle();
    expect(held.inFlight().map((c) => c.op.payload.n)).toEqual([3, 2, 4]);
    for (const n of [2, 3, 4]) held.callFor(n)!.answer();
    await settle();
    held.callFor(5)!.answer();
    await outbox.drained();
    expect(seen.map((o) => o.n)).toEqual([1, 2, 3, 4, 5]);
    outbox.close();
  });

  it('a window-1 sender in the same scope still waits for everything before it', async () => {
    const outbox = createOutbox({ storage: memoryStorage(), online$: new BehaviorSubject(true) });
    const wide = heldSender();
    const serial = heldSender();
    outbox.register('wide', wide.sender, { window: 8 });
    outbox.register('serial', serial.sender);
    for (const n of [1, 2]) await outbox.enqueue('wide', { n });
    await outbox.enqueue('serial', { n: 3 });
    await outbox.enqueue('wide', { n: 4 });
    await settle();
    expect(wide.inFlight().map((c) => c.op.payload.n)).toEqual([1, 2]);
    expect(serial.inFlight()).toEqual([]);
    wide.callFor(1)!.answer();
    wide.callFor(2)!.answer();
    await settle();
    expect(serial.inFlight().map((c) => c.op.payload.n)).toEqual([3]);
    expect(wide.inFlight()).toEqual([]);
    serial.callFor(3)!.answer();
    await settle();
    wide.callFor(4)!.answer();
    await outbox.drained();
    outbox.close();
  });

  it('rejects a window that is not an integer ≥ 1', () => {
    const outbox = createOutbox({ storage: memoryStorage(), online$: new BehaviorSubject(false) });
    for (const window of [0, -1, 1.5, Number.NaN]) {
      let error: unknown;
      try {
        outbox.register('op', async () => undefined, { window });
      } catch (err) {
        error = err;
      }
      expect(isRxSyncError(error, 'E_OPTION_INVALID')).toBe(true);
    }
    outbox.close();
  });
});

describe.each([
  ['memoryStorage', () => memoryStorage()],
  ['localforageStorage (IndexedDB)', () => localforageStorage({ name: `window-${Math.random().toString(36).slice(2)}` })],
])('closing mid-window on %s', (_name, makeStorage: () => Storage) => {
  it('aborts what is in flight, settles nothing out of order, and a reopened outbox sends every unsettled op', async () => {
    const storage = makeStorage();
    const first = createOutbox({ storage, online$: new BehaviorSubject(true) });
    const held = heldSender();
    first.register('op', held.sender, { window: 4 });
    const seen = outcomes(first);
    for (const n of [1, 2, 3, 4, 5, 6]) await first.enqueue('op', { n });
    await settle();
    held.callFor(1)!.answer();
    held.callFor(3)!.answer(); // answered, but waits behind 2
    await settle();
    expect(seen.map((o) => o.n)).toEqual([1]);
    const flying = held.inFlight();
    expect(flying.map((c) => c.op.payload.n)).toEqual([2, 4, 5]);
    first.close();
    expect(flying.every((c) => c.signal.aborted)).toBe(true);
    flying.forEach((c) => c.answer()); // late answers after close change nothing
    await settle();
    expect(seen.map((o) => o.n)).toEqual([1]);

    const second = createOutbox({ storage, online$: new BehaviorSubject(true) });
    await second.ready;
    expect(second.pendingOps().map((op) => (op.payload as { n: number }).n)).toEqual([2, 3, 4, 5, 6]);
    const sent: number[] = [];
    const acked: number[] = [];
    second.ack$.subscribe(({ op }) => acked.push((op.payload as { n: number }).n));
    second.register<{ n: number }>('op', async (op) => void sent.push(op.payload.n), { window: 4 });
    await second.drained();
    expect(acked).toEqual([2, 3, 4, 5, 6]);
    expect([...sent].sort()).toEqual([2, 3, 4, 5, 6]);
    second.close();
    const third = createOutbox({ storage, online$: new BehaviorSubject(false) });
    await third.ready;
    expect(third.pendingOps()).toEqual([]);
    third.close();
  });

  it('when the leader closes mid-window, the other instance sends every op it had not settled, and none settles twice', async () => {
    const storage = makeStorage();
    const online$ = new BehaviorSubject(true);
    const a = createOutbox({ storage, online$ });
    await a.ready;
    await settle(); // a leads
    const b = createOutbox({ storage, online$ });
    const held = heldSender();
    const sentByB: number[] = [];
    a.register('op', held.sender, { window: 3 });
    b.register<{ n: number }>('op', async (op) => void sentByB.push(op.payload.n), { window: 3 });
    const seenA = outcomes(a);
    const seenB = outcomes(b);
    for (const n of [1, 2, 3, 4]) await a.enqueue('op', { n });
    await settle();
    held.callFor(1)!.answer();
    held.callFor(3)!.answer();
    await settle();
    expect(seenA.map((o) => o.n)).toEqual([1]);
    a.close();
    held.inFlight().forEach((c) => c.answer());
    await waitFor(() => b.pending$.get() === 0);
    await b.drained();
    expect([...sentByB].sort()).toEqual([2, 3, 4]); // 3 was answered to a but never settled there
    expect(seenA.map((o) => o.n)).toEqual([1]);
    expect(seenB.map((o) => o.n).filter((n) => n > 1)).toEqual([2, 3, 4]); // in order, once each
    b.close();
  });
});

describe('losing the lead mid-window', () => {
  it('aborts every delivery, settles none of the answers that arrive after, and the next leader sends them all', async () => {
    // Processes on one storage elect their leader with a lease record; another holder's fresh
    // lease (a rival that took over while this one stalled) makes this one step down.
    const storage: Storage = { ...memoryStorage(), name: 'shared', shared: true };
    const online$ = new BehaviorSubject(true);
    const a = createOutbox({ storage, online$, locks: null, leaseTtl: 300 });
    const b = createOutbox({ storage, online$, locks: null, leaseTtl: 300 });
    try {
      const held = heldSender();
      a.register('op', held.sender, { window: 4 });
      const seen = outcomes(a);
      for (const n of [1, 2, 3, 4, 5]) await a.enqueue('op', { n });
      await waitFor(() => held.inFlight().length === 4);
      held.callFor(2)!.answer(); // answered, waits behind 1
      await settle();
      const flying = held.inFlight();
      await storage.set('rxsync:outbox:lease', { holder: 'rival', expires: Date.now() + 60_000 });
      await waitFor(() => flying.every((c) => c.signal.aborted));
      flying.forEach((c) => c.answer());
      await settle();
      expect(seen).toEqual([]);
      expect(held.calls).toHaveLength(4); // nothing new started after the lead was lost
      a.close();

      await storage.remove('rxsync:outbox:lease'); // the rival is gone too: b takes the lead
      const sent: number[] = [];
      const acked: number[] = [];
      b.ack$.subscribe(({ op }) => acked.push((op.payload as { n: number }).n));
      b.register<{ n: number }>('op', async (op) => void sent.push(op.payload.n), { window: 4 });
      await waitFor(() => acked.length === 5);
      expect(acked).toEqual([1, 2, 3, 4, 5]);
      expect([...sent].sort()).toEqual([1, 2, 3, 4, 5]);
      await b.drained();
    } finally {
      a.close();
      b.close();
    }
  });
});

/** Polls `condition`; gives up after 10 s so a broken build fails the test instead of hanging jest. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 2000) throw new Error(`condition still false after 10 s: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
