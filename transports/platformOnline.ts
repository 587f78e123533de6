import { Observable } from 'rxjs';

/**
 * The global scope's `online` / `offline` events (a window or worker) as an Observable of the
 * online flag, starting with `false` when the platform already reports offline; silent in Node.
 */
export const platformOnline$ = new Observable<boolean>((subscriber) => {
  const scope = globalThis as {
    addEventListener?: (type: string, fn: () => void) => void;
    removeEventListener?: (type: string, fn: () => void) => void;
    navigator?: { onLine?: unknown };
  };
  if (typeof scope.addEventListener !== 'function') return undefined;
  if (scope.navigator?.onLine === false) subscriber.next(false);
  const onOnline = (): void => subscriber.next(true);
  const onOffline = (): void => subscriber.next(false);
  scope.addEventListener('online', onOnline);
  scope.addEventListener('offline', onOffline);
  return () => {
    scope.removeEventListener?.('online', onOnline);
    scope.removeEventListener?.('offline', onOffline);
  };
});
