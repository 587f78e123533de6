import { createEnvironmentFlag, type EnvironmentFlag, type FlagSource } from './flag.js';

/** Page visibility in browsers; in Node (no `document`) always focused unless set. */
export function browserFocusSource(): FlagSource {
  const visible = (): boolean => typeof document === 'undefined' || document.visibilityState !== 'hidden';
  return {
    read: visible,
    listen(report) {
      if (typeof document === 'undefined' || typeof document.addEventListener !== 'function') return () => {};
      const onChange = (): void => report(visible());
      document.addEventListener('visibilitychange', onChange);
      return () => document.removeEventListener('visibilitychange', onChange);
    },
  };
}

/** Creates an independent focus flag. */
export function createFocusManager(source: FlagSource = browserFocusSource()): EnvironmentFlag {
  return createEnvironmentFlag(source);
}

/** Whether the app is focused (page visible). Queries with `refetchOnFocus` refetch when it turns true. */
export const focusManager: EnvironmentFlag = /* @__PURE__ */ createFocusManager();
