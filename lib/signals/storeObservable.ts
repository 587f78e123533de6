import { Observable, type Observer, type Subscriber, type Subscription, type TeardownLogic } from 'rxjs';
import { storeArguments, storeSubscription, type StoreSubscribe, type StoreSubscription } from './storeContract.js';

/**
 * An RxJS Observable that is also a Svelte store (`invalidate` included), such as what
 * `client.query` returns. In Svelte's store form an error has no channel: one that the source
 * raises while subscribing (a bad key or option) is thrown by `subscribe`, so `get(store)` and
 * `$store` fail at once and visibly. Query failures are not errors: they are `QueryState`s with
 * `status: 'error'`.
 */
export type StoreObservable<T> = Observable<T> & StoreSubscribe<T>;

class StoreObservableImpl<T> extends Observable<T> {
  constructor(subscribe: (subscriber: Subscriber<T>) => TeardownLogic) {
    super(subscribe);
  }

  override subscribe(observerOrNext?: Partial<Observer<T>> | ((value: T) => void)): Subscription;
  override subscribe(run: (value: T) => void, invalidate?: () => void): StoreSubscription;
  /** @deprecated RxJS's positional callbacks; use an observer object `{ next, error, complete }`. */
  override subscribe(
    next?: ((value: T) => void) | null,
    error?: ((error: unknown) => void) | null,
    complete?: (() => void) | null,
  ): Subscription;
  override subscribe(...args: unknown[]): Subscription {
    const store = storeArguments<T>(args);
    if (store === undefined) return super.subscribe(...(args as Parameters<Observable<T>['subscribe']>));
    let subscribing = true;
    let failure: { error: unknown } | undefined;
    const inner = super.subscribe({
      next: (value) => {
        // One value of one source: invalidate, then run, as Svelte's own `writable` does.
        store.invalidate?.();
        store.run(value);
      },
      error: (error: unknown) => {
        if (subscribing) failure = { error };
        else throw error; // nobody to hand it to: RxJS reports it as unhandled
      },
    });
    subscribing = false;
    if (failure !== undefined) throw failure.error;
    return storeSubscription(() => inner.unsubscribe());
  }
}

/** Makes `source` honour Svelte's store contract as well as RxJS's (see `storeContract.ts`). */
export function storeObservable<T>(source: Observable<T>): StoreObservable<T> {
  return new StoreObservableImpl<T>((subscriber) => source.subscribe(subscriber)) as StoreObservable<T>;
}

/**
 * @internal {@link storeObservable} from a subscribe function, as `new Observable(subscribe)`
 * takes it: one object fewer per Observable (`client.query` makes one per call, per component).
 */
export function storeObservableOf<T>(subscribe: (subscriber: Subscriber<T>) => TeardownLogic): StoreObservable<T> {
  return new StoreObservableImpl<T>(subscribe) as StoreObservable<T>;
}
