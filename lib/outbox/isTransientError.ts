import { isRefusal } from './refusedError.js';

/**
 * Whether a failed delivery is worth retrying: network failures, timeouts, 5xx, 408 and 429 are
 * transient; a {@link RefusedError} and any other HTTP 4xx are permanent (the receiver will refuse
 * the same request again). Errors carry their status as `status` (as `httpSender` and most HTTP
 * clients do).
 */
export function isTransientError(error: unknown): boolean {
  if (isRefusal(error)) return false;
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status !== 'number') return true;
  return status >= 500 || status === 408 || status === 429 || status < 400;
}
