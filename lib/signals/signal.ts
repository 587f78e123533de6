import type { Observable, Observer, Subscription } from 'rxjs';
import type { StoreSubscription } from './storeContract.js';
import { type Equals } from './graph.js';
import { Cell } from './cell.js';
import { applyRecipe, type Recipe } from './recipe.js';
import { selectFrom } from './computed.js';

/**
 * A read-only signal: an Observable that always has a current value. It is also a Svelte store,
 * `invalidate` included, so `svelte/store`'s `derived` over several signals is glitch-free.
 */
export interface ReadonlySignal<T> extends Observable<T> {
  subscribe(observerOrNext?: Partial<Observer<T>> | ((value: T) => void)): Subscription;
  /**
   * Svelte's store form: exactly two arguments, `invalidate` (no parameters) or `undefined`.
   * `invalidate` is called before any observer of a change gets a value; errors are thrown (by
   * `subscribe`, or by the write that made the derivation fail), never swallowed.
   */
  subscribe(run: (value: T) => void, invalidate?: () => void): StoreSubscription;
  /** @deprecated RxJS's positional callbacks; use an observer object `{ next, error, complete }`. */
  subscribe(next?: ((value: T) => void) | null, error?: ((error: unknown) => void) | null, complete?: (() => void) | null): Subscription;
  /** The current value, synchronously. */
  get(): T;
  /** A derived signal of `fn(value)`; it emits only when the derived value changes. */
  select<R>(fn: (value: T) => R, options?: SignalOptions<R>): ReadonlySignal<R>;
}

/** A writable signal: {@link ReadonlySignal} plus `set` and `update`. */
export interface WritableSignal<T> extends ReadonlySignal<T> {
  /** Replaces the value; observers are notified unless it equals the current one. */
  set(value: T): void;
  /** Updates with an immer recipe (objects) or a plain function (primitives). */
  update(recipe: Recipe<T>): void;
  /** A view of this signal without `set`/`update`, to hand out to readers. */
  asReadonly(): ReadonlySignal<T>;
}

/** Options shared by `signal`, `computed` and `select`. */
export interface SignalOptions<T> {
  /** When two values count as equal (no notification). Default `Object.is`. */
  equals?: Equals<T>;
}

class WritableNode<T> extends Cell<T> implements WritableSignal<T> {
  update(recipe: Recipe<T>): void {
    this.set(applyRecipe(this.get(), recipe));
  }

  select<R>(fn: (value: T) => R, options?: SignalOptions<R>): ReadonlySignal<R> {
    return selectFrom(this, fn, options);
  }

  asReadonly(): ReadonlySignal<T> {
    return this.select((value) => value);
  }
}

/**
 * Creates a writable signal. It is an RxJS Observable that emits its current value synchronously
 * on subscribe (so it is a valid Svelte store and works with Angular's `toSignal` without an
 * initial value) and then every change; equal values are skipped.
 *
 * @example
 * ```ts
 * const todos = signal<Todo[]>([]);
 * todos.update((draft) => { draft.push({ id: 1, title: 'Write docs', done: false }); });
 * const open = todos.select((list) => list.filter((t) => !t.done).length);
 * open.subscribe((n) => console.log(`${n} open`));
 * ```
 */
export function signal<T>(initial: T, options?: SignalOptions<T>): WritableSignal<T> {
  return new WritableNode(initial, options?.equals ?? Object.is);
}
