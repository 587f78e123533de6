import { RxSyncError } from '../errors.js';
import { closestName } from '../options/checkOptions.js';
import type { QueryKey } from './queryKey.js';

/** What a fetcher receives: the key it fetches for, and a signal that aborts when nobody waits. */
export interface FetchContext<K extends QueryKey = QueryKey> {
  readonly key: K;
  /** Aborted when the last subscriber leaves while the request runs: pass it to `fetch`. */
  readonly signal: AbortSignal;
}

/** How many times to retry: a count, `true` (forever), `false` (never), or a decision per failure. */
export type RetryOption = boolean | number | ((failureCount: number, error: unknown) => boolean);
/** The delay before a retry: fixed ms, or computed per failure. Default: exponential with full jitter. */
export type RetryDelayOption = number | ((failureCount: number, error: unknown) => number);

/** Options shared by queries and the client's defaults. */
export interface SharedQueryOptions {
  /** How long data stays fresh, in ms (no refetch on subscribe while fresh). Default 0. */
  staleTime?: number;
  /** How long an unobserved entry stays cached, in ms. Default 5 minutes. */
  gcTime?: number;
  /** Retries after a failed fetch. Default 3. */
  retry?: RetryOption;
  /** Delay before each retry. */
  retryDelay?: RetryDelayOption;
  /** Refetch stale data when the network comes back (`'always'`: even if fresh). Default true. */
  refetchOnReconnect?: boolean | 'always';
  /** Refetch stale data when the page regains focus (`'always'`: even if fresh). Default true. */
  refetchOnFocus?: boolean | 'always';
}

/** Options of `client.query`. */
export interface QueryOptions<T, S = T, K extends QueryKey = QueryKey> extends SharedQueryOptions {
  /** The cache key: an array of JSON-like parts, most general first. */
  key: K;
  /** Loads the data. Receives the key and an `AbortSignal`. */
  fetch: (context: FetchContext<K>) => Promise<T> | T;
  /** Refetch every this many ms while observed; `0` or `false` is off. Default false. */
  refetchInterval?: number | false;
  /** Derives what subscribers see from the cached data; cached per data identity. */
  select?: (data: T) => S;
  /** Shown as `data` while there is none yet (`isPlaceholderData: true`); never cached. */
  placeholder?: S | (() => S | undefined);
  /** When false, the query never fetches (it still shows cached data). Default true. */
  enabled?: boolean;
}

const sharedKeys = ['staleTime', 'gcTime', 'retry', 'retryDelay', 'refetchOnReconnect', 'refetchOnFocus'] as const;
/** Option names `client.query` accepts. */
export const queryOptionKeys: readonly string[] = [...sharedKeys, 'key', 'fetch', 'refetchInterval', 'select', 'placeholder', 'enabled'];
/** Option names accepted as client defaults. */
export const sharedOptionKeys: readonly string[] = sharedKeys;

/**
 * Refuses option objects with unknown names (a typo such as `stalTime` would otherwise be
 * silently ignored) or values of the wrong kind, naming the option.
 */
export function validateOptions(options: unknown, allowed: readonly string[], where: string): void {
  if (typeof options !== 'object' || options === null) {
    throw new RxSyncError('E_OPTION_INVALID', `${where}: options must be an object`);
  }
  for (const name of Object.keys(options)) {
    if (!allowed.includes(name)) {
      const near = closestName(name, allowed);
      throw new RxSyncError('E_OPTION_UNKNOWN', `${where}: unknown option "${name}"${near ? ` (did you mean "${near}"?)` : ''}`, {
        details: { option: name },
      });
    }
  }
  const o = options as Record<string, unknown>;
  for (const name of ['staleTime', 'gcTime'] as const) checkDuration(o[name], name, where);
  const interval = o['refetchInterval'];
  // 0 means off (as in TanStack Query); Infinity or NaN would be a typo, not a wish.
  if (interval !== undefined && interval !== false && (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 0))
    throw wrongKind(where, 'refetchInterval', 'a finite number of ms ≥ 0 (0 = off) or false');
  if (o['retry'] !== undefined && !['boolean', 'function'].includes(typeof o['retry'])) checkCount(o['retry'], 'retry', where);
  if (o['retryDelay'] !== undefined && typeof o['retryDelay'] !== 'function') checkDuration(o['retryDelay'], 'retryDelay', where);
  for (const name of ['select', 'fetch'] as const) {
    if (o[name] !== undefined && typeof o[name] !== 'function') throw wrongKind(where, name, 'a function');
  }
  if (o['enabled'] !== undefined && typeof o['enabled'] !== 'boolean') throw wrongKind(where, 'enabled', 'a boolean');
  for (const name of ['refetchOnReconnect', 'refetchOnFocus'] as const) {
    if (o[name] !== undefined && typeof o[name] !== 'boolean' && o[name] !== 'always')
      throw wrongKind(where, name, "a boolean or 'always'");
  }
}

function checkDuration(value: unknown, name: string, where: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) throw wrongKind(where, name, 'a number of ms ≥ 0 (Infinity allowed)');
}

function checkCount(value: unknown, name: string, where: string): void {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) throw wrongKind(where, name, 'a number ≥ 0, a boolean or a function');
}

function wrongKind(where: string, name: string, expected: string): RxSyncError {
  return new RxSyncError('E_OPTION_INVALID', `${where}: option "${name}" must be ${expected}`, { details: { option: name } });
}
