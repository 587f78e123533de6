import type { Observable, Subscription } from 'rxjs';
import { createSubscriber } from 'svelte/reactivity';

/** One source being observed: its latest value or failure. */
interface Observed<I, T> {
  readonly input: I;
  subscription: Subscription | undefined;
  value?: T;
  failure?: { error: unknown };
}

/**
 * Reads in progress, in any ObservedValue. Subscribing during a read can make a shared source emit
 * to other readers at once (a fetch that starts shows as `isFetching` to every subscriber of the
 * key); telling Svelte then would write state inside a `$derived` or template expression
 * (`state_unsafe_mutation`), so such updates wait for a microtask.
 */
let reading = 0;

/** @internal Runs `read` as a read: updates it causes in other readers are deferred (see `reading`). */
export function asRead<T>(read: () => T): T {
  reading++;
  try {
    return read();
  } finally {
    reading--;
  }
}

/**
 * @internal The latest value of an Observable, read through Svelte's reactivity: subscribed while
 * at least one effect (a template, `$derived` read by one, `$effect`) reads `current`, and
 * unsubscribed a microtask after the last of them is destroyed (`createSubscriber`'s rule).
 *
 * `input()` names the source (options read from `$state`, a document handle): it is evaluated on
 * every read, inside the reader, so the reading effect depends on that state too. When it gives a
 * new source (`same` says no), the read switches to it at once: the new source is subscribed before
 * the old one is dropped, and rxsync sources emit synchronously on subscribe, so the read that sees
 * the new input also sees the new source's first value. Pulled, not pushed: no moment shows a new
 * input with the old source's value.
 */
export class ObservedValue<I, T> {
  readonly #input: () => I;
  readonly #same: (a: I, b: I) => boolean;
  readonly #open: (input: I) => Observable<T>;
  readonly #track: () => void;
  /** The source being observed, its latest value (or failure), while an effect reads. */
  #observed: Observed<I, T> | undefined;
  /** Makes the reading effects run again; set while started. */
  #update: (() => void) | undefined;
  #next: I | undefined;
  /** An update waits for a microtask (it came during a read). */
  #deferred = false;

  constructor(input: () => I, same: (a: I, b: I) => boolean, open: (input: I) => Observable<T>) {
    this.#input = input;
    this.#same = same;
    this.#open = open;
    this.#track = createSubscriber((update) => {
      this.#update = update;
      this.#observe(this.#next as I);
      return () => {
        this.#update = undefined;
        this.#observed?.subscription?.unsubscribe();
        this.#observed = undefined;
      };
    });
  }

  /** The current value; outside any effect, a one-off read of the source (nothing kept open). */
  get current(): T {
    return asRead(() => this.#read());
  }

  #read(): T {
    const input = this.#input();
    this.#next = input;
    this.#track();
    this.#next = undefined;
    let observed = this.#observed;
    if (this.#update === undefined) {
      // Not read by an effect: no subscription outlives this read.
      if (observed === undefined || !this.#same(observed.input, input)) observed = this.#once(input);
    } else if (observed === undefined || !this.#same(observed.input, input)) {
      observed = this.#observe(input);
    }
    if (observed.failure !== undefined) throw observed.failure.error;
    return observed.value as T;
  }

  #observe(input: I): Observed<I, T> {
    const previous = this.#observed;
    const observed: Observed<I, T> = { input, subscription: undefined };
    this.#observed = observed;
    let subscribing = true;
    // Values while subscribing are the first value of this read: no update (it would write to a
    // signal in the middle of the read). Later ones make the readers run again.
    const changed = (): void => {
      if (subscribing || this.#observed !== observed) return;
      if (reading === 0) this.#update?.();
      else if (!this.#deferred) {
        this.#deferred = true;
        queueMicrotask(() => {
          this.#deferred = false;
          if (this.#observed === observed) this.#update?.();
        });
      }
    };
    observed.subscription = this.#open(input).subscribe({
      next: (value) => {
        observed.value = value;
        changed();
      },
      error: (error: unknown) => {
        observed.failure = { error };
        changed();
      },
    });
    subscribing = false;
    // The new source first, then the old one goes: what both share (a cache entry, a room) stays open.
    previous?.subscription?.unsubscribe();
    return observed;
  }

  #once(input: I): Observed<I, T> {
    const observed: Observed<I, T> = { input, subscription: undefined };
    this.#open(input)
      .subscribe({ next: (value) => (observed.value = value), error: (error: unknown) => (observed.failure = { error }) })
      .unsubscribe();
    return observed;
  }
}
