/**
 * Runs `task` after the I/O callbacks of this turn of the event loop: Node's `setImmediate`, so
 * frames read from every socket in one I/O phase are handled together; where there is none (the
 * in-memory hub of `rxsync/testing` in a browser), a zero-delay timeout.
 */
export function afterIo(task: () => void): void {
  const immediate = (globalThis as { setImmediate?: (run: () => void) => unknown }).setImmediate;
  if (immediate !== undefined) immediate(task);
  else setTimeout(task, 0);
}
