import { TestScheduler } from 'rxjs/testing';
import { of, throwError, defer, merge } from 'rxjs';
import { retryBackoff } from '../../operators/retryBackoff.js';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('retryBackoff', () => {
  it('resubscribes after the exponential delays, then gives up with the last error', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-#');
      // Delays 2, 4, 8 (initialDelay 2, multiplier 2, no jitter): subscriptions at 0, 5, 12, 23.
      const result = source.pipe(retryBackoff({ maxAttempts: 3, initialDelay: 2, jitter: 'none' }));
      expectObservable(result).toBe('-a----a------a----------a-#');
      expectSubscriptions(source.subscriptions).toBe(['^--!', '-----^--!', '------------^--!', '-----------------------^--!']);
    });
  });

  it('caps delays at maxDelay', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('#');
      const result = source.pipe(retryBackoff({ maxAttempts: 3, initialDelay: 2, maxDelay: 3, jitter: 'none' }));
      // Delays 2, then 4 and 8 both capped to 3: subscriptions at 0, 2, 5, 8.
      expectObservable(result).toBe('--------#');
      expectSubscriptions(source.subscriptions).toBe(['(^!)', '--(^!)', '-----(^!)', '--------(^!)']);
    });
  });

  it('has a short form taking the number of retries', () => {
    scheduler().run(({ cold, expectSubscriptions, expectObservable }) => {
      const source = cold('#');
      expectObservable(source.pipe(retryBackoff({ maxAttempts: 1, delay: () => 5 }))).toBe('-----#');
      expectSubscriptions(source.subscriptions).toBe(['(^!)', '-----(^!)']);
    });
    const seen: unknown[] = [];
    let subscriptions = 0;
    defer(() => {
      subscriptions++;
      return throwError(() => new Error('x'));
    })
      .pipe(retryBackoff(0))
      .subscribe({ error: (e) => seen.push(e) });
    expect(subscriptions).toBe(1);
    expect(seen).toHaveLength(1);
  });

  it('stops at once when shouldRetry refuses, and passes it the failure count', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('#', undefined, { status: 404 });
      const calls: number[] = [];
      const result = source.pipe(
        retryBackoff({
          maxAttempts: 5,
          delay: () => 1,
          shouldRetry: (_err, n) => {
            calls.push(n);
            return n < 2;
          },
        }),
      );
      expectObservable(result).toBe('-#', undefined, { status: 404 });
      expectSubscriptions(source.subscriptions).toBe(['(^!)', '-(^!)']);
      scheduler().flush();
      expect(calls).toEqual([]);
    });
  });

  it('passes values and completion through, and resets the count on success when asked', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a#');
      const result = source.pipe(retryBackoff({ maxAttempts: 1, delay: () => 2, resetOnSuccess: true }));
      // Each emission resets the budget, so it keeps going until the test unsubscribes.
      expectObservable(result, '^------!').toBe('a--a--a');
      expectSubscriptions(source.subscriptions).toBe(['^!', '---^!', '------^!']);
    });
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a-b|').pipe(retryBackoff(2))).toBe('a-b|');
    });
  });

  it('a retry that comes due while offline waits for the network', () => {
    scheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = cold('#');
      const online$ = hot('t-f-----t', { t: true, f: false });
      const result = source.pipe(retryBackoff({ maxAttempts: 1, delay: () => 3, online$ }));
      // Fails at 0 (count 1); the retry comes due at 3 but the network went away at 2, so it
      // waits until 8, resubscribes, fails again (count 2 > 1) and gives up.
      expectObservable(result).toBe('--------#');
      expectSubscriptions(source.subscriptions).toBe(['(^!)', '--------(^!)']);
    });
  });

  it('does not count failures that happen while offline', () => {
    scheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = cold('--#');
      const online$ = hot('f-----t', { t: true, f: false });
      const result = source.pipe(retryBackoff({ maxAttempts: 1, delay: () => 1, online$ }));
      // Fails at 2 while offline (not counted), resubscribes at 6 when online, fails at 8
      // (count 1), retries at 9, fails at 11 (count 2 > 1) → error.
      expectObservable(result).toBe('-----------#');
      expectSubscriptions(source.subscriptions).toBe(['^-!', '------^-!', '---------^-!']);
    });
  });

  it('waitForNetwork: offline at the start, the first attempt waits for the network; pauses are told', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      const source = cold('--a|');
      // Like an EnvironmentFlag: the current value (offline) at once on subscribe, online at 4.
      const online$ = merge(of(false), cold('----t', { t: true }));
      const told: string[] = [];
      const result = source.pipe(
        retryBackoff({
          maxAttempts: 1,
          online$,
          waitForNetwork: true,
          onPause: () => told.push('pause'),
          onContinue: () => told.push('continue'),
        }),
      );
      expectObservable(result).toBe('------a|');
      expectSubscriptions(source.subscriptions).toBe('----^--!');
      flush();
      expect(told).toEqual(['pause', 'continue']);
    });
  });

  it('unsubscribing cancels a pending retry', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('#');
      const result = source.pipe(retryBackoff({ maxAttempts: 3, delay: () => 5 }));
      expectObservable(result, '^--!').toBe('');
      expectSubscriptions(source.subscriptions).toBe(['(^!)']);
    });
  });

  it('applies full jitter from the injected random source', () => {
    const delays: number[] = [];
    scheduler().run(({ cold, expectSubscriptions, expectObservable }) => {
      const source = cold('#');
      const result = source.pipe(
        retryBackoff({ maxAttempts: 2, initialDelay: 10, random: () => 0.5, onRetry: (_e, _n, ms) => delays.push(ms) }),
      );
      expectObservable(result).toBe('---------------#');
      expectSubscriptions(source.subscriptions).toBe(['(^!)', '-----(^!)', '---------------(^!)']);
    });
    expect(delays).toEqual([5, 10]);
  });

  it('reuses one operator instance across subscriptions without sharing state', () => {
    const op = retryBackoff<number>({ maxAttempts: 1, delay: () => 0 });
    // Each source fails once, then succeeds: within a budget of 1 only if budgets are not shared.
    const failOnce = (value: number) => {
      let calls = 0;
      return defer(() => (++calls === 1 ? throwError(() => new Error('first call fails')) : of(value)));
    };
    const results: number[] = [];
    const errors: unknown[] = [];
    jest.useFakeTimers();
    try {
      failOnce(1)
        .pipe(op)
        .subscribe({ next: (v) => results.push(v), error: (e) => errors.push(e) });
      failOnce(2)
        .pipe(op)
        .subscribe({ next: (v) => results.push(v), error: (e) => errors.push(e) });
      jest.advanceTimersByTime(5);
    } finally {
      jest.useRealTimers();
    }
    expect(results).toEqual([1, 2]);
    expect(errors).toEqual([]);
  });
});
