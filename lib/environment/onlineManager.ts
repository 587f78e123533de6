import { createEnvironmentFlag, type EnvironmentFlag, type FlagSource } from './flag.js';

/** Browser `online`/`offline` events; in Node (no `window`) always online unless set. */
export function browserOnlineSource(): FlagSource {
  return {
    read: () => (typeof navigator !== 'undefined' && typeof navigator.onLine === 'boolean' ? navigator.onLine : true),
    listen(report) {
      if (typeof window === 'undefined' || typeof window.addEventListener !== 'function') return () => {};
      const online = (): void => report(true);
      const offline = (): void => report(false);
      window.addEventListener('online', online);
      window.addEventListener('offline', offline);
      return () => {
        window.removeEventListener('online', online);
        window.removeEventListener('offline', offline);
      };
    },
  };
}

/** Creates an independent online flag (a client can take its own; the default is shared). */
export function createOnlineManager(source: FlagSource = browserOnlineSource()): EnvironmentFlag {
  return createEnvironmentFlag(source);
}

/**
 * Whether the app is online. Queries refetch on reconnect and retries wait while offline.
 *
 * @example
 * ```ts
 * onlineManager.set(false); // e.g. in a test, or from a native network plugin
 * ```
 */
export const onlineManager: EnvironmentFlag = /* @__PURE__ */ createOnlineManager();
