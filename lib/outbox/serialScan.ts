/**
 * Runs `scan` one at a time: a request while one runs makes it run once more afterwards (it may
 * have started before the news it is asked for), and every request waits for that. Stops
 * repeating once `stopped()` says so.
 */
export function serialScan(scan: () => Promise<void>, stopped: () => boolean): () => Promise<void> {
  let scanning: Promise<void> | undefined;
  let again = false;
  return () => {
    if (scanning !== undefined) {
      again = true;
      return scanning;
    }
    scanning = (async () => {
      do {
        again = false;
        await scan();
      } while (again && !stopped());
    })().finally(() => (scanning = undefined));
    return scanning;
  };
}
