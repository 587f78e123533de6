import { defer, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { reconnect } from '../../operators/reconnect';

describe('reconnect', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('resubscribes after exponential delays and gives up after maxAttempts with E_RECONNECT_EXHAUSTED', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', undefined, new Error('refused'));
      // Failures 1, 2, 3 wait 10, 20, 40 ms; the 4th exceeds maxAttempts.
      const result = source.pipe(reconnect({ initialDelay: 10, multiplier: 2, jitter: 'none', maxAttempts: 3 }));
      expectObservable(result).toBe(
        '- 10ms - 20ms - 40ms -#',
        undefined,
        expect.objectContaining({ code: 'E_RECONNECT_EXHAUSTED', cause: new Error('refused') }),
      );
      expectSubscriptions(source.subscriptions).toBe(['^!', '11ms ^!', '32ms ^!', '73ms ^!']);
    });
  });

  it('reconnects at once when retryNow$ emits during a wait, keeping the failure count', () => {
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', undefined, new Error('offline'));
      // Waits of 100 and 200 ms; "online" at 50 ms cuts the first short, the next failure waits 200.
      const online = hot('50ms o 149ms o');
      const result = source.pipe(reconnect({ initialDelay: 100, jitter: 'none', maxAttempts: 2, retryNow$: online }));
      expectObservable(result).toBe('201ms #', undefined, expect.objectContaining({ code: 'E_RECONNECT_EXHAUSTED' }));
      expectSubscriptions(source.subscriptions).toBe(['^!', '50ms ^!', '200ms ^!']);
    });
  });

  it('resets the backoff once a connection opens (emits), so the next wait is the shortest again', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const connections = [cold('-#'), cold('-#'), cold('-o#'), cold('-o-')];
      let index = 0;
      const source: Observable<string> = defer(() => connections[index++]!);
      expectObservable(source.pipe(reconnect({ initialDelay: 10, jitter: 'none' }))).toBe('- 10ms - 20ms -o 10ms -o-');
      expectSubscriptions(connections[0]!.subscriptions).toBe(['^!']);
      expectSubscriptions(connections[1]!.subscriptions).toBe(['11ms ^!']);
      expectSubscriptions(connections[2]!.subscriptions).toBe(['32ms ^-!']);
      expectSubscriptions(connections[3]!.subscriptions).toBe(['44ms ^']);
    });
  });

  it('applies full jitter through the injected random source and reports each scheduled attempt', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#');
      const attempts: Array<[number, number]> = [];
      const result = source.pipe(
        reconnect({
          initialDelay: 10,
          maxAttempts: 2,
          random: () => 0.5,
          onReconnect: (attempt, delay) => attempts.push([attempt, delay]),
        }),
      );
      // floor(0.5 * 11) = 5, floor(0.5 * 21) = 10
      expectObservable(result).toBe('- 5ms - 10ms -#', undefined, expect.objectContaining({ code: 'E_RECONNECT_EXHAUSTED' }));
      expectSubscriptions(source.subscriptions).toBe(['^!', '6ms ^!', '17ms ^!']);
      scheduler.flush();
      expect(attempts).toEqual([
        [1, 5],
        [2, 10],
      ]);
    });
  });

  it('stops at once when shouldReconnect refuses the error', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a#', undefined, new Error('forbidden'));
      expectObservable(source.pipe(reconnect({ shouldReconnect: () => false }))).toBe('-a#', undefined, new Error('forbidden'));
      expectSubscriptions(source.subscriptions).toBe(['^-!']);
    });
  });

  it('unsubscribes the source and cancels a pending wait on teardown', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#');
      expectObservable(source.pipe(reconnect({ initialDelay: 10, jitter: 'none' })), '---- 20ms !').toBe('-');
      // Subscribed at 0 and 11; the wait after the second failure (20 ms) is cancelled at 24 ms.
      expectSubscriptions(source.subscriptions).toBe(['^!', '11ms ^!']);
    });
  });

  it('keeps per-subscription state: two subscribers back off independently', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('-#');
      const operator = reconnect<string>({ initialDelay: 10, jitter: 'none', maxAttempts: 1 });
      expectObservable(source.pipe(operator)).toBe('- 10ms -#', undefined, expect.objectContaining({ code: 'E_RECONNECT_EXHAUSTED' }));
      expectObservable(source.pipe(operator), '5ms ^').toBe(
        '5ms - 10ms -#',
        undefined,
        expect.objectContaining({ code: 'E_RECONNECT_EXHAUSTED' }),
      );
    });
  });
});

describe('reconnect with healthy$, isFinal and resume$', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('resets the failure count only when healthy$ emits during a connection, not on open', () => {
    const attempts: number[] = [];
    scheduler.run(({ cold, hot, expectObservable }) => {
      // Every connection "opens" (emits o) then fails; only the third is proven healthy (at 35 ms).
      const connections = [cold('o-#'), cold('o-#'), cold('o-#'), cold('o-#')];
      let index = 0;
      const source: Observable<string> = defer(() => connections[index++]!);
      const healthy = hot('35ms h');
      const result = source.pipe(
        reconnect({ initialDelay: 10, jitter: 'none', healthy$: healthy, onReconnect: (attempt) => attempts.push(attempt) }),
      );
      // Waits 10, then 20 (opening did not reset), then 10 again after the healthy third connection.
      expectObservable(result, '^ 50ms !').toBe('o 11ms o 21ms o 11ms o');
    });
    expect(attempts).toEqual([1, 2, 1, 2]); // the fourth connection was not proven healthy either
  });

  it('parks on a final error until resume$, which connects at once with a fresh count', () => {
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', undefined, new Error('refused'));
      const parked: unknown[] = [];
      const resume = hot('100ms r');
      const result = source.pipe(
        reconnect({
          initialDelay: 10,
          jitter: 'none',
          maxAttempts: 1,
          isFinal: () => parked.length === 0,
          onParked: (e) => parked.push(e),
          resume$: resume,
        }),
      );
      // Parked after the first failure (no retry at 11 ms); resume at 100 ms; that attempt is not final and retries once.
      expectObservable(result).toBe('100ms - 10ms -#', undefined, expect.objectContaining({ code: 'E_RECONNECT_EXHAUSTED' }));
      expectSubscriptions(source.subscriptions).toBe(['^!', '100ms ^!', '111ms ^!']);
      scheduler.flush();
      expect(parked).toEqual([new Error('refused')]);
    });
  });
});

describe('reconnect with isImmediate', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('retries at once after an immediate error that ends a healthy run, then backs off as usual', () => {
    const delays: number[] = [];
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const drained = new Error('draining');
      // An open connection is drained (retried at once); the next hub refuses twice. The immediate
      // retry counted as a failure: the waits are the second and third steps (20, 40 ms).
      const connections = [cold('o#', undefined, drained), cold('-#', undefined, drained), cold('-#'), cold('-o-')];
      let index = 0;
      const source: Observable<string> = defer(() => connections[index++]!);
      const result = source.pipe(
        reconnect({
          initialDelay: 10,
          jitter: 'none',
          isImmediate: (error) => error === drained,
          onReconnect: (_attempt, delay) => delays.push(delay),
        }),
      );
      expectObservable(result).toBe('o- 20ms - 40ms -o-');
      expectSubscriptions(connections[0]!.subscriptions).toBe(['^!']);
      // At once: subscribed again in the same frame the first connection failed.
      expectSubscriptions(connections[1]!.subscriptions).toBe(['-^!']);
      expectSubscriptions(connections[2]!.subscriptions).toBe(['22ms ^!']);
      expectSubscriptions(connections[3]!.subscriptions).toBe(['63ms ^']);
    });
    // The second drain error is not the first failure in a row: it waits like any other.
    expect(delays).toEqual([0, 20, 40]);
  });
});
