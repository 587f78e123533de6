import type { RetryBackoffConfig } from '../../operators/retryBackoff.js';
import type { EnvironmentFlag } from '../environment/flag.js';
import type { RetryDelayOption, RetryOption } from './options.js';
import type { QueryEntry } from './queryEntry.js';

/** Translates the query options `retry` / `retryDelay` into a `retryBackoff` configuration. */
export function toRetryConfig(retry: RetryOption = 3, retryDelay: RetryDelayOption | undefined): RetryBackoffConfig {
  const config: RetryBackoffConfig = {
    maxAttempts: retry === false ? 0 : typeof retry === 'number' ? retry : Infinity,
  };
  if (typeof retry === 'function') config.shouldRetry = (error, failureCount) => retry(failureCount, error);
  if (typeof retryDelay === 'number') config.delay = () => retryDelay;
  else if (typeof retryDelay === 'function') config.delay = retryDelay;
  return config;
}

/**
 * How a query's fetch retries: as `retry` / `retryDelay` say, and never while offline. Offline it
 * waits for the network before the first attempt too (no request that can only fail), and the
 * entry shows `fetchStatus: 'paused'` meanwhile, as in TanStack Query.
 */
export function queryRetry(
  options: { retry?: RetryOption; retryDelay?: RetryDelayOption | undefined },
  online: EnvironmentFlag,
  entry: () => QueryEntry<unknown>,
): RetryBackoffConfig {
  return {
    ...toRetryConfig(options.retry, options.retryDelay),
    online$: online.value$,
    waitForNetwork: true,
    onPause: () => entry().dispatch({ type: 'pause' }),
    onContinue: () => entry().dispatch({ type: 'continue' }),
  };
}
