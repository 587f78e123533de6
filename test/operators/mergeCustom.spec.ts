import { TestScheduler } from 'rxjs/testing';
import { RxSyncError, isRxSyncError } from '../../lib/errors.js';
import { mergeCustom } from '../../operators/mergeCustom.js';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

const max = (current: number, incoming: number): number => (incoming > current ? incoming : current);
function decodeNumber(payload: unknown): number {
  if (typeof payload !== 'number') throw new RxSyncError('E_SCORE_INVALID', `score must be a number, got ${typeof payload}`);
  return payload;
}

describe('mergeCustom', () => {
  it('folds payloads with the custom merge and emits only when the state changes', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-d-|', { a: 3, b: 1, c: 7, d: 7 });
      expectObservable(source.pipe(mergeCustom(max, { seed: 0, decode: decodeNumber }))).toBe('-a---c---|', { a: 3, c: 7 });
      expectSubscriptions(source.subscriptions).toBe('^--------!');
    });
  });

  it('with onReject, reports a bad payload, skips it and keeps going from the untouched state', () => {
    const rejected: [string, unknown][] = [];
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-|', { a: 3, b: 'oops', c: 5 });
      const result = source.pipe(
        mergeCustom(max, { seed: 0, decode: decodeNumber, onReject: (err, payload) => rejected.push([err.code, payload]) }),
      );
      expectObservable(result).toBe('-a---c-|', { a: 3, c: 5 });
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
    expect(rejected).toEqual([['E_SCORE_INVALID', 'oops']]);
  });

  it('without onReject, errors with the coded error and unsubscribes from the source', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-|', { a: 3, b: 'oops', c: 5 });
      const result = source.pipe(mergeCustom(max, { seed: 0, decode: decodeNumber }));
      expectObservable(result).toBe('-a-#', { a: 3 }, new RxSyncError('E_SCORE_INVALID', 'score must be a number, got string'));
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('wraps a plain error thrown by merge as E_MERGE_REJECTED with the cause, state untouched', () => {
    const errors: RxSyncError[] = [];
    const boom = new Error('boom');
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-b-c|', { a: 1, b: 13, c: 2 });
      const merge = (current: number, incoming: number): number => {
        if (incoming === 13) throw boom;
        return current + incoming;
      };
      expectObservable(source.pipe(mergeCustom(merge, { seed: 0, onReject: (err) => errors.push(err) }))).toBe('-a---c|', { a: 1, c: 3 });
    });
    expect(errors).toHaveLength(1);
    expect(isRxSyncError(errors[0], 'E_MERGE_REJECTED')).toBe(true);
    expect(errors[0]?.cause).toBe(boom);
    expect(errors[0]?.message).toMatch(/boom/);
  });

  it('keeps state per subscription: one operator instance, two independent folds', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const operator = mergeCustom((current: number, incoming: number) => current + incoming, { seed: 10 });
      const first = cold('-a-b|', { a: 1, b: 2 });
      const second = cold('--a-|', { a: 5 });
      expectObservable(first.pipe(operator)).toBe('-x-y|', { x: 11, y: 13 });
      expectObservable(second.pipe(operator)).toBe('--z-|', { z: 15 });
      expectSubscriptions(first.subscriptions).toBe('^---!');
      expectSubscriptions(second.subscriptions).toBe('^---!');
    });
  });

  it('passes source errors through and unsubscribes when the consumer does', () => {
    scheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const failing = cold('-a-#', { a: 1 });
      expectObservable(failing.pipe(mergeCustom(max, { seed: 0 }))).toBe('-a-#', { a: 1 });
      expectSubscriptions(failing.subscriptions).toBe('^--!');
      const endless = hot('-a-b-c-d-', { a: 1, b: 2, c: 3, d: 4 });
      expectObservable(endless.pipe(mergeCustom(max, { seed: 0 })), '^----!').toBe('-a-b-', { a: 1, b: 2 });
      expectSubscriptions(endless.subscriptions).toBe('^----!');
    });
  });
});
