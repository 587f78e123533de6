import { computed, untracked, type DestroyRef, type Signal } from '@angular/core';

/**
 * @internal A resource (a subscription, a live document, a mutation handle) that follows a
 * signal: when `source` changes, the next read opens the new resource and only then closes the old
 * one (so a room or a cache entry both use stays up across the switch); `destroyRef` closes the
 * last one. Opening happens inside the read, untracked, so the new resource's first value is there
 * synchronously: no effect and no change detection pass in between. After destroy, reads return
 * the last resource without opening another.
 */
export function switchingResource<O, R>(
  source: Signal<O>,
  open: (options: O) => R,
  close: (resource: R) => void,
  destroyRef: DestroyRef,
): Signal<R> {
  let current: { readonly options: O; readonly resource: R } | undefined;
  let destroyed = false;
  destroyRef.onDestroy(() => {
    destroyed = true;
    if (current !== undefined) close(current.resource);
  });
  return computed(() => {
    const options = source();
    return untracked(() => {
      if (current !== undefined && (destroyed || Object.is(current.options, options))) return current.resource;
      const previous = current;
      current = { options, resource: open(options) };
      if (previous !== undefined) close(previous.resource);
      return current.resource;
    });
  });
}
