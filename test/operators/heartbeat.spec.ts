import { TestScheduler } from 'rxjs/testing';
import { heartbeat } from '../../operators/heartbeat';

describe('heartbeat', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('passes values through and errors E_HEARTBEAT_TIMEOUT after `timeout` ms of silence', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a 9ms b');
      // b arrives at 10; silence from then on; declared dead at 10 + 50.
      expectObservable(source.pipe(heartbeat({ interval: 20, timeout: 50 }))).toBe(
        'a 9ms b 49ms #',
        undefined,
        expect.objectContaining({ code: 'E_HEARTBEAT_TIMEOUT' }),
      );
      expectSubscriptions(source.subscriptions).toBe(['^ 59ms !']);
    });
  });

  it('pings after `interval` of silence and again every interval; an answer keeps the connection alive', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const pings: number[] = [];
      const source = cold('a 44ms p 99ms -');
      const result = source.pipe(heartbeat({ interval: 20, timeout: 50, ping: () => pings.push(scheduler.now()) }));
      // a at 0, pings at 20 and 40, the answer p at 45 resets; pings at 65, 85; dead at 95.
      expectObservable(result).toBe('a 44ms p 49ms #', undefined, expect.objectContaining({ code: 'E_HEARTBEAT_TIMEOUT' }));
      expectSubscriptions(source.subscriptions).toBe(['^ 94ms !']);
      scheduler.flush();
      expect(pings).toEqual([20, 40, 65, 85]);
    });
  });

  it('never times out a stream that keeps talking', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a 29ms b 29ms c 29ms d 29ms |');
      expectObservable(source.pipe(heartbeat({ interval: 20, timeout: 40 }))).toBe('a 29ms b 29ms c 29ms d 29ms |');
      expectSubscriptions(source.subscriptions).toBe(['^ 119ms !']);
    });
  });

  it('forwards source errors and cancels its timer on unsubscribe', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const failing = cold('-#', undefined, new Error('closed'));
      expectObservable(failing.pipe(heartbeat({ interval: 5, timeout: 10 }))).toBe('-#', undefined, new Error('closed'));
      expectSubscriptions(failing.subscriptions).toBe(['^!']);
      const quiet = cold('-');
      const pings: number[] = [];
      expectObservable(quiet.pipe(heartbeat({ interval: 5, timeout: 100, ping: () => pings.push(scheduler.now()) })), '12ms !').toBe('-');
      expectSubscriptions(quiet.subscriptions).toBe(['^ 11ms !']);
      scheduler.flush();
      expect(pings).toEqual([5, 10]);
    });
  });
});
