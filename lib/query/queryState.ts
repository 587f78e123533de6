import type { EntryState, FetchStatus, QueryStatus } from './entryState.js';

/** What a query subscriber sees. */
export interface QueryState<T> {
  /** `pending` (no data yet), `success` (data), or `error` (the last fetch failed). */
  readonly status: QueryStatus;
  /** The data (after `select`), the placeholder while pending, or undefined. */
  readonly data: T | undefined;
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
  };
}
