import type { Observable, Subscription } from 'rxjs';
import { RxSyncError } from '../lib/errors.js';

/**
 * How long a subscription made while rendering waits for React to subscribe before it is dropped.
 * A render React throws away (a StrictMode double render, an interrupted transition) never
 * subscribes; a committed one subscribes in its passive effect, usually within a frame.
 */
const UNCLAIMED_MS = 5000;

/** What a store opens: a subscription that reports values (synchronously on open) and closes. */
export type OpenSource<T> = (emit: (value: T) => void, fail: (error: unknown) => void) => { close(): void };

/**
 * @internal The bridge between an rxsync source and `useSyncExternalStore`: one open source per
 * hook instance, the last value kept so `getSnapshot` returns the same object until it changes.
 *
 * - `getSnapshot` before React subscribed (the first render) opens the source and keeps it open
 *   for React's `subscribe` to claim, so the first value is synchronous and the query is not
 *   fetched twice (a subscribe-read-unsubscribe would start and abort a request).
 * - React's last unsubscribe closes the source one microtask later: StrictMode's
 *   unsubscribe-then-resubscribe on mount, and a resubscribe for a new `subscribe` function, keep
 *   the same subscription (one fetch), while a real unmount closes it (and aborts the fetch).
 */
export class ExternalStore<T> {
  private source: { close(): void } | undefined;
  private value: T | undefined;
  private hasValue = false;
  private error: { readonly error: unknown } | undefined;
  private readonly listeners = new Set<() => void>();
  private unclaimed: ReturnType<typeof setTimeout> | undefined;
  private closing = false;

  constructor(
    private readonly open: OpenSource<T>,
    private readonly what: string,
  ) {}

  /** `useSyncExternalStore`'s subscribe: stable for the store's life. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    this.ensureOpen();
    if (this.unclaimed !== undefined) clearTimeout(this.unclaimed);
    this.unclaimed = undefined;
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size > 0 || this.closing) return;
      this.closing = true;
      queueMicrotask(() => {
        this.closing = false;
        if (this.listeners.size === 0) this.close();
      });
    };
  };

  /** `useSyncExternalStore`'s getSnapshot: the last value, the same object until it changes. */
  readonly getSnapshot = (): T => {
    if (this.source === undefined) {
      this.ensureOpen();
      if (this.listeners.size === 0 && this.unclaimed === undefined) {
        this.unclaimed = setTimeout(() => {
          this.unclaimed = undefined;
          if (this.listeners.size === 0) this.close();
        }, UNCLAIMED_MS);
      }
    }
    if (this.error !== undefined) throw this.error.error;
    if (!this.hasValue) {
      throw new RxSyncError(
        'E_OPTION_INVALID',
        `${this.what} needs a source that emits its current value on subscribe (a signal or a query)`,
      );
    }
    return this.value as T;
  };

  /** True while the source is open (for tests and for handles that must not outlive it). */
  get isOpen(): boolean {
    return this.source !== undefined;
  }

  private ensureOpen(): void {
    if (this.source !== undefined) return;
    this.error = undefined;
    let opening = true;
    const source = this.open(
      (value) => {
        if (this.hasValue && Object.is(value, this.value)) return;
        this.value = value;
        this.hasValue = true;
        if (!opening) this.notify();
      },
      (error) => {
        this.error = { error };
        if (!opening) this.notify();
      },
    );
    opening = false;
    this.source = source;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private close(): void {
    const source = this.source;
    this.source = undefined;
    source?.close();
  }
}

/** @internal Opens an Observable: its values and its error go to the store. */
export function observe<T>(source: Observable<T>): OpenSource<T> {
  return (emit, fail) => {
    const subscription: Subscription = source.subscribe({ next: emit, error: fail });
    return { close: () => subscription.unsubscribe() };
  };
}
