import { mergeMap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { dedupe, type InflightRegistry } from '../../operators/dedupe.js';

const scheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('dedupe', () => {
  it('shares one in-flight run between subscribers of the same key', () => {
    scheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const registry: InflightRegistry = new Map();
      const source = cold('---a|');
      const run = source.pipe(dedupe('todos', registry));
      // The second subscriber arrives at 2 and joins the run started at 0.
      const late = hot('--x|').pipe(mergeMap(() => run));
      expectObservable(run).toBe('---a|');
      expectObservable(late).toBe('---a|');
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('different keys run separately; array keys are hashed like query keys', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const registry: InflightRegistry = new Map();
      const a = cold('-a|');
      const b = cold('-b|');
      expectObservable(a.pipe(dedupe(['todos', { page: 1 }], registry))).toBe('-a|');
      expectObservable(b.pipe(dedupe(['todos', { page: 2 }], registry))).toBe('-b|');
      expectSubscriptions(a.subscriptions).toBe('^-!');
      expectSubscriptions(b.subscriptions).toBe('^-!');
    });
  });

  it('starts a fresh run once the previous one ended', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const registry: InflightRegistry = new Map();
      const source = cold('-a|');
      const run = source.pipe(dedupe('k', registry));
      expectObservable(run).toBe('-a|');
      expectObservable(run, '----^').toBe('-----a|');
      expectSubscriptions(source.subscriptions).toBe(['^-!', '----^-!']);
    });
  });

  it('cancels the run when its last subscriber leaves, and forgets it', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      const registry: InflightRegistry = new Map();
      const source = cold('-----a|');
      const run = source.pipe(dedupe('k', registry));
      expectObservable(run, '^-!').toBe('');
      expectObservable(run, '^--!').toBe('');
      expectSubscriptions(source.subscriptions).toBe('^--!');
      flush();
      expect(registry.size).toBe(0);
    });
  });

  it('shares errors too, and a later subscriber after an error retries', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const registry: InflightRegistry = new Map();
      const source = cold('--#');
      const run = source.pipe(dedupe('k', registry));
      expectObservable(run).toBe('--#');
      expectObservable(run, '-^').toBe('--#');
      expectObservable(run, '---^').toBe('-----#');
      expectSubscriptions(source.subscriptions).toBe(['^-!', '---^-!']);
    });
  });
});
