/**
 * Lets a timer run without keeping a Node process alive (`unref`). Browsers' timers are numbers
 * without `unref`: there it does nothing, so the room logic also runs in a page.
 */
export function backgroundTimer<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
