import { computed, signal, untracked, type DestroyRef, type Signal } from '@angular/core';
import { RxSyncError } from '../lib/errors.js';
import type { Observable, Subscription } from 'rxjs';
import { switchingResource } from './switchingResource.js';

/** One subscription and the last thing it delivered. */
interface Observed<V> {
  subscription: Subscription | undefined;
  received: { readonly value: V } | { readonly error: unknown } | undefined;
}

/**
 * @internal An Angular signal of the latest value of the Observable `source` holds, switching
 * subscriptions when `source` changes. rxsync's streams (queries, signals, live documents) emit
 * synchronously on subscribe, so the value is there at once, also right after a switch; later
 * emissions bump a version signal so Angular's consumers (templates, effects, computeds) re-read.
 * An error from the stream is thrown by the read, as Angular's `computed` does. The stream is
 * subscribed at once.
 */
export function observedSignal<V>(source: Signal<Observable<V>>, destroyRef: DestroyRef): Signal<V> {
  const version = signal(0);
  const subscriptions = switchingResource<Observable<V>, Observed<V>>(
    source,
    (stream) => {
      const observed: Observed<V> = { subscription: undefined, received: undefined };
      let subscribing = true;
      const receive = (received: Observed<V>['received']): void => {
        observed.received = received;
        // The synchronous first value is read by the caller directly; a version bump is only for later ones.
        if (!subscribing) version.update((n) => n + 1);
      };
      observed.subscription = stream.subscribe({ next: (value) => receive({ value }), error: (error: unknown) => receive({ error }) });
      subscribing = false;
      return observed;
    },
    (observed) => observed.subscription?.unsubscribe(),
    destroyRef,
  );
  const read = computed(() => {
    version();
    const { received } = subscriptions();
    if (received === undefined) throw new RxSyncError('E_OPTION_INVALID', 'the stream gave no value on subscribe');
    if ('error' in received) throw received.error;
    return received.value;
  });
  // Subscribed now rather than on the first read, so a fetch starts with the component; an error
  // (invalid options) is thrown by the reads, not by the injection.
  try {
    untracked(read);
  } catch {
    // thrown again on read
  }
  return read;
}
