/// <reference types="node" />
import type { HubSession } from './session.js';

/**
 * Waits for a hello's decision (authentication, joining) until the session's hello deadline
 * (`helloTimeout` ms after it opened). An `authenticate` that never answers must not hold the hello,
 * or an HTTP hello POST, forever: at the deadline the session is ended with `E_HELLO_TIMEOUT` and
 * `undefined` is returned.
 */
export async function withinHelloDeadline<T>(
  session: HubSession,
  helloTimeout: number,
  now: number,
  decision: Promise<T>,
): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, session.openedAt + helloTimeout - now));
  });
  try {
    const result = await Promise.race([decision, timedOut]);
    if (result === undefined) session.fail('E_HELLO_TIMEOUT', `No hello decided within ${helloTimeout} ms`);
    return result;
  } finally {
    clearTimeout(timer);
  }
}
