import type { EntryState, FetchStatus } from './entryState.js';

/** What every {@link QueryState} carries, whatever its status. */
export interface QueryStateBase {
  /** The error of the last failed fetch, `null` otherwise. */
  readonly error: unknown;
  /** A request is running (first load or background refetch); false while `paused`. */
  readonly isFetching: boolean;
  /** Data is older than `staleTime`, invalidated, or missing. */
  readonly isStale: boolean;
  /** `data` is the placeholder, not fetched data. */
  readonly isPlaceholderData: boolean;
  /** When the data arrived (ms since epoch), 0 if never. */
  readonly updatedAt: number;
  /** Failures of the current or last fetch, retries included. */
  readonly failureCount: number;
  /** The error of the latest failure, even while retries continue. */
  readonly failureReason: unknown;
  /** `fetching`, `paused` (a fetch waits for the network: offline, no request made) or `idle`. */
  readonly fetchStatus: FetchStatus;
}

/**
 * What a query subscriber sees: a union on `status`, so `if (state.status === 'success')
 * state.data` is `T`.
 *
 * - `pending`: no data yet; `data` is the placeholder, if any (`isPlaceholderData`).
 * - `success`: `data` is the (selected) data.
 * - `error`: the last fetch failed (`error`); `data` is what was shown before, if anything.
 */
export type QueryState<T> =
  | (QueryStateBase & { readonly status: 'pending'; readonly data: T | undefined })
  | (QueryStateBase & { readonly status: 'success'; readonly data: T })
  | (QueryStateBase & { readonly status: 'error'; readonly data: T | undefined });

/** @internal Maps entry state to what subscribers see, given the observer's derivations. */
export function toQueryState<T, S>(
  state: EntryState<T>,
  isStale: boolean,
  selectData: (data: T) => S,
  placeholder: (() => S | undefined) | undefined,
): QueryState<S> {
  let data: S | undefined = state.data === undefined ? undefined : selectData(state.data);
  let isPlaceholderData = false;
  if (data === undefined && state.status === 'pending' && placeholder !== undefined) {
    data = placeholder();
    isPlaceholderData = data !== undefined;
  }
  // One literal, no branch: an entry is `success` only with data, so the object is the union's
  // `success` member whenever its status says so.
  return {
    status: state.status,
    data,
    error: state.error,
    isFetching: state.fetchStatus === 'fetching',
    isStale,
    isPlaceholderData,
    updatedAt: state.updatedAt,
    failureCount: state.failureCount,
    failureReason: state.failureReason,
    fetchStatus: state.fetchStatus,
  } as QueryState<S>;
}
