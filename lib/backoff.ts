/** How the delay before a retry grows. Shared by `retryBackoff`, `reconnect` and the outbox. */
export interface BackoffOptions {
  /** Delay before the first retry, in ms. Default 1000. */
  initialDelay?: number;
  /** Upper bound for any delay, in ms. Default 30000. */
  maxDelay?: number;
  /** Growth factor per attempt. Default 2. */
  multiplier?: number;
  /**
   * `'full'` (default) picks uniformly in `[0, capped delay]`, which spreads a crowd of clients
   * reconnecting at once; `'none'` uses the capped delay itself.
   */
  jitter?: 'full' | 'none';
}

/**
 * The delay before retry number `attempt` (1-based): `min(maxDelay, initialDelay * multiplier^(attempt-1))`,
 * with full jitter unless disabled. `random` is injectable for deterministic tests.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const initialDelay = options.initialDelay ?? 1000;
  const maxDelay = options.maxDelay ?? 30_000;
  const multiplier = options.multiplier ?? 2;
  const exponent = Math.max(0, attempt - 1);
  // Cap before multiplying further so large attempt counts never reach Infinity.
  const capped = Math.min(maxDelay, initialDelay * Math.pow(multiplier, Math.min(exponent, 1024)));
  return options.jitter === 'none' ? capped : Math.floor(random() * (capped + 1));
}
