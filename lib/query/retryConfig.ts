import type { RetryBackoffConfig } from '../../operators/retryBackoff.js';
import type { RetryDelayOption, RetryOption } from './options.js';

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
