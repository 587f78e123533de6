import { useMemo, useSyncExternalStore } from 'react';
import type { Observable } from 'rxjs';
import { ExternalStore, observe } from './externalStore.js';

/**
 * The current value of a signal, a `select`/`computed` of signals, or any Observable that emits
 * its current value on subscribe (a query's `StoreObservable`, a live document's `value$`); the
 * component re-renders when it changes. Built on `useSyncExternalStore`: every component of one
 * render sees the same value. Pass the same source object across renders (make it outside the
 * component or in `useMemo`): a new one is subscribed anew.
 *
 * @example
 * ```tsx
 * const count = signal(0);
 * function Counter() {
 *   const n = useSignal(count);
 *   return <button onClick={() => count.update((c) => c + 1)}>{n}</button>;
 * }
 * ```
 */
export function useSignal<T>(source: Observable<T>): T {
  const store = useMemo(() => new ExternalStore<T>(observe(source), 'useSignal'), [source]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
