import { RxSyncError } from '../errors.js';

/** The coded error for unreadable stored data under `key`. */
export function corrupt(key: string, backend: string, why: string, cause?: unknown): RxSyncError {
  return new RxSyncError('E_STORAGE_CORRUPT', `storage (${backend}): the value for key ${JSON.stringify(key)} is corrupt: ${why}`, {
    cause,
    details: { key, backend },
  });
}

/** True for "disk or quota full" errors of browsers (IndexedDB, localStorage) and Node (files). */
export function isQuotaError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { name, code } = err as { name?: unknown; code?: unknown };
  return (
    name === 'QuotaExceededError' ||
    name === 'NS_ERROR_DOM_QUOTA_REACHED' ||
    code === 22 || // legacy DOMException.QUOTA_EXCEEDED_ERR
    code === 1014 || // old Firefox
    code === 'ENOSPC' ||
    code === 'EDQUOT'
  );
}

/**
 * Wraps a backend failure in a coded error: `E_STORAGE_QUOTA` when the backend is full,
 * `E_STORAGE_UNAVAILABLE` otherwise; coded errors pass through unchanged.
 */
export function backendError(backend: string, operation: string, cause: unknown, key?: string): RxSyncError {
  if (cause instanceof RxSyncError) return cause;
  const what = key === undefined ? operation : `${operation} ${JSON.stringify(key)}`;
  const reason = cause instanceof Error ? cause.message : String(cause);
  const details = key === undefined ? { backend, operation } : { backend, operation, key };
  return isQuotaError(cause)
    ? new RxSyncError('E_STORAGE_QUOTA', `storage (${backend}): ${what} failed, storage is full: ${reason}`, { cause, details })
    : new RxSyncError('E_STORAGE_UNAVAILABLE', `storage (${backend}): ${what} failed: ${reason}`, { cause, details });
}
