import { Subscription, type Observer } from 'rxjs';

/**
 * Svelte's store contract on an RxJS Observable.
 *
 * Svelte calls `store.subscribe(run, invalidate)` with exactly two arguments: `run` receives the
 * values, and `invalidate` (a function that takes no parameters, or `undefined` from `get` and
 * `$store`) must be called for every affected subscriber before any of them is given a new value,
 * so `derived` waits for all of its inputs. RxJS would read that second function as an error
 * callback. The rule rxsync follows:
 *
 * - **Store form**: exactly two arguments, the first a function and the second `undefined` or a
 *   function declaring no parameters (`fn.length === 0`). The second is `invalidate`. There is no
 *   error channel: an error at subscribe time is thrown by `subscribe` itself (so `get(store)`
 *   throws at once), and a derivation that fails later throws from the write that made it fail.
 * - **RxJS form**: everything else. `subscribe(observer)`, `subscribe(next)`,
 *   `subscribe(next, (err) => …)` and `subscribe(next, error, complete)` keep RxJS's meaning. An
 *   error callback is told apart by taking its error: `() => …` as a second and last argument is
 *   `invalidate`; write `{ next, error }` (RxJS's non-deprecated form) to be unambiguous.
 */

/** A subscription that is also a function that ends it: Svelte's `Unsubscriber` and RxJS's `Subscription` in one. */
export type StoreSubscription = Subscription & (() => void);

/** The overloads of `subscribe` for an Observable that is also a Svelte store. */
export interface StoreSubscribe<T> {
  subscribe(observerOrNext?: Partial<Observer<T>> | ((value: T) => void)): Subscription;
  /** Svelte's store contract: `invalidate` runs before every new value (see the README, Signals). */
  subscribe(run: (value: T) => void, invalidate?: () => void): StoreSubscription;
  /** @deprecated RxJS's positional callbacks; use an observer object `{ next, error, complete }`. */
  subscribe(next?: ((value: T) => void) | null, error?: ((error: unknown) => void) | null, complete?: (() => void) | null): Subscription;
}

/** @internal The `run` and `invalidate` of a store-form call, or `undefined` for an RxJS call. */
export function storeArguments<T>(args: readonly unknown[]): { run: (value: T) => void; invalidate: (() => void) | undefined } | undefined {
  if (args.length !== 2 || typeof args[0] !== 'function') return undefined;
  const second = args[1];
  if (second === undefined) return { run: args[0] as (value: T) => void, invalidate: undefined };
  if (typeof second === 'function' && second.length === 0) {
    return { run: args[0] as (value: T) => void, invalidate: second as () => void };
  }
  return undefined;
}

/** @internal Wraps `teardown` in a {@link StoreSubscription}. */
export function storeSubscription(teardown: () => void): StoreSubscription {
  const subscription = new Subscription(teardown);
  const unsubscribe = function (): void {
    subscription.unsubscribe();
  };
  // Calling it or calling `unsubscribe`, `add`, `closed` on it all reach the one subscription.
  Object.setPrototypeOf(unsubscribe, Subscription.prototype);
  for (const name of ['unsubscribe', 'add', 'remove'] as const) {
    Object.defineProperty(unsubscribe, name, { value: (...a: never[]) => (subscription[name] as (...a: never[]) => void)(...a) });
  }
  Object.defineProperty(unsubscribe, 'closed', { get: () => subscription.closed });
  return unsubscribe as unknown as StoreSubscription;
}
