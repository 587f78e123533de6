import { RxSyncError } from '../errors.js';
import { corrupt } from './storageErrors.js';

/**
 * Every adapter stores values as JSON text, so all of them hand back the same thing: a fresh copy
 * with JSON semantics (`toJSON` honoured, `undefined` properties dropped), whatever the backend.
 * Throws `E_STORAGE_INVALID` for a value JSON cannot hold (`undefined`, a function, a BigInt, a cycle).
 */
export function encodeStorageValue(key: string, value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new RxSyncError('E_STORAGE_INVALID', `storage: the value for key ${JSON.stringify(key)} is not JSON-serializable`, {
      cause,
      details: { key },
    });
  }
  // JSON.stringify returns undefined for undefined, functions and symbols: nothing to store.
  if (typeof text !== 'string') {
    throw new RxSyncError('E_STORAGE_INVALID', `storage: the value for key ${JSON.stringify(key)} is not JSON (got ${typeof value})`, {
      details: { key },
    });
  }
  return text;
}

/**
 * Parses what a backend returned for `key`. Stored data is untrusted: anything that is not JSON
 * text gives `E_STORAGE_CORRUPT` naming the key, never a crash or a wrong value.
 */
export function decodeStorageValue<T>(key: string, stored: unknown, backend: string): T {
  if (typeof stored !== 'string') {
    throw corrupt(key, backend, `expected JSON text, found ${stored === null ? 'null' : typeof stored}`);
  }
  try {
    return JSON.parse(stored) as T;
  } catch (cause) {
    throw corrupt(key, backend, 'the stored text is not valid JSON', cause);
  }
}

/** Rejects keys that are not strings (for callers outside TypeScript). */
export function assertStorageKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') {
    throw new RxSyncError('E_STORAGE_INVALID', `storage: keys are strings, got ${typeof key}`, { details: { key: String(key) } });
  }
}
