import { RxSyncError } from '../errors.js';
import type { QueryCache } from './queryCache.js';
import type { QueryEntry } from './queryEntry.js';
import { hashNewKey, type HashedKey, type QueryKey } from './queryKey.js';

/** One query of a {@link DehydratedState}. */
export interface DehydratedQuery {
  readonly key: QueryKey;
  readonly data: unknown;
  readonly updatedAt: number;
}

/** A JSON-safe snapshot of a client's successful queries. */
export interface DehydratedState {
  readonly version: 1;
  readonly queries: readonly DehydratedQuery[];
}

/** Collects every entry that holds data. */
export function dehydrateCache(cache: QueryCache): DehydratedState {
  const queries: DehydratedQuery[] = [];
  for (const entry of cache.all()) {
    const query = dehydrateEntry(entry);
    if (query !== undefined) queries.push(query);
  }
  return { version: 1, queries };
}

/** The snapshot of one entry, if it holds data. */
export function dehydrateEntry(entry: QueryEntry<unknown>): DehydratedQuery | undefined {
  const state = entry.current;
  return state.status === 'success' && state.data !== undefined
    ? { key: entry.key.key, data: state.data, updatedAt: state.updatedAt }
    : undefined;
}

/**
 * Loads a snapshot: validates all of it first (all-or-nothing, errors name the field), then
 * writes each query unless the cache already holds newer data for that key.
 */
export function hydrateCache(cache: QueryCache, snapshot: unknown): void {
  const { keys, data, updatedAt } = validate(snapshot);
  const now = Date.now(); // one clock read for every entry's gc deadline
  for (let i = 0; i < keys.length; i++) {
    const entry = cache.build<unknown>(keys[i]!);
    const current = entry.current;
    if (current.status === 'success' && current.updatedAt >= updatedAt[i]!) continue;
    entry.dispatch({ type: 'setData', data: data[i], at: updatedAt[i]! });
    // Unobserved, it lives the client's gcTime from now (not the entry's unset 0 ms).
    if (entry.observerCount === 0) entry.scheduleGc(cache.gcTime, now);
  }
}

/** A validated snapshot as three columns (no object per query: a hydrate runs at start-up). */
interface ValidQueries {
  readonly keys: HashedKey[];
  readonly data: unknown[];
  readonly updatedAt: number[];
}

function validate(snapshot: unknown): ValidQueries {
  const fail = (field: string, problem: string): never => {
    throw new RxSyncError('E_HYDRATE_INVALID', `Cannot hydrate: ${field} ${problem}`, { details: { field } });
  };
  if (typeof snapshot !== 'object' || snapshot === null) return fail('snapshot', 'must be an object from client.dehydrate()');
  const { version, queries } = snapshot as { version?: unknown; queries?: unknown };
  if (version !== 1) fail('version', `must be 1, got ${JSON.stringify(version)}`);
  if (!Array.isArray(queries)) return fail('queries', 'must be an array');
  const valid: ValidQueries = { keys: [], data: [], updatedAt: [] };
  // Each field is read once: what is checked is what gets written, even from an object with getters.
  for (let i = 0; i < queries.length; i++) {
    const query: unknown = queries[i];
    if (typeof query !== 'object' || query === null) return fail(`queries[${i}]`, 'must be an object');
    const { key, data, updatedAt } = query as { key?: unknown; data?: unknown; updatedAt?: unknown };
    if (!Array.isArray(key)) return fail(`queries[${i}].key`, 'must be an array');
    let hashed: HashedKey;
    try {
      hashed = hashNewKey(key);
    } catch (err) {
      return fail(`queries[${i}].key`, `is not a valid key (${(err as Error).message})`);
    }
    if (typeof updatedAt !== 'number' || !Number.isFinite(updatedAt) || updatedAt < 0)
      fail(`queries[${i}].updatedAt`, 'must be a time in ms ≥ 0');
    if (data === undefined) fail(`queries[${i}].data`, 'is missing');
    valid.keys.push(hashed);
    valid.data.push(data);
    valid.updatedAt.push(updatedAt as number);
  }
  return valid;
}
