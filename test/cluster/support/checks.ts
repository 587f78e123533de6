// Checks the cluster suites share: wait for a condition without failing on the wait itself (the
// assertion after it says what is wrong), and the seq accounting of every client's connections.
import type { ClusterClient } from './clusterClients';

/** Waits until `check()` holds or `timeoutMs` passed; returns whether it held. The caller asserts. */
export async function settle(check: () => boolean, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/** Per client: seqs received twice and seqs of 1..head never received, plus how many connections it used. */
export function seqReport(
  clients: readonly ClusterClient[],
  head: number,
): { client: string; connections: number; duplicates: number[]; missing: number[] }[] {
  return clients.map((c, i) => ({
    client: `${i}:${c.via}`,
    connections: c.tap.connections.length,
    duplicates: c.tap.duplicates(),
    missing: c.tap.missing(head),
  }));
}

/** Whether every client received every seq of 1..head. */
export function everySeqArrived(clients: readonly ClusterClient[], head: number): boolean {
  return clients.every((c) => c.tap.missing(head).length === 0);
}

/** Prints the seed of a randomized test, with how to replay it. */
export function printSeed(suite: string, seed: number): void {
  console.log(`${suite}: seed ${seed} (replay with SEED=${seed})`);
}

/** `promise`, or a rejection naming `what` (with `detail()`, e.g. a seq report) once `timeoutMs` passed. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string, detail: () => unknown = () => ''): Promise<T> {
  let guard: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    guard = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for: ${what}\n${JSON.stringify(detail())}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(guard);
  }
}
