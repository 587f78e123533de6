/** Whether a query has data (`success`), failed without data to show (`error`), or neither yet. */
export type QueryStatus = 'pending' | 'success' | 'error';
/** Whether a request is running for the query right now, or waits for the network to start (`paused`). */
export type FetchStatus = 'idle' | 'fetching' | 'paused';

/** What the cache holds for one key, shared by everyone who observes that key. */
export interface EntryState<T> {
  readonly status: QueryStatus;
  readonly data: T | undefined;
  /** The last error of a failed fetch; `null` after a success. Data already held is kept. */
  readonly error: unknown;
  /** When data last arrived (ms since epoch), 0 if never. */
  readonly updatedAt: number;
  readonly fetchStatus: FetchStatus;
  /** Failures of the current or last fetch, retries included; 0 after a success. */
  readonly failureCount: number;
  readonly failureReason: unknown;
  /** Set by `invalidate`: stale whatever the stale time says, until fresh data arrives. */
  readonly isInvalidated: boolean;
  /** What kind of fetch is running (e.g. `'nextPage'` for infinite queries), if any. */
  readonly fetchMeta: string | undefined;
}

/** Every way the entry state can change. */
export type EntryAction<T> =
  | { readonly type: 'fetch'; readonly meta?: string | undefined }
  | { readonly type: 'success'; readonly data: T; readonly at: number }
  | { readonly type: 'failure'; readonly error: unknown; readonly failureCount: number }
  | { readonly type: 'error'; readonly error: unknown }
  | { readonly type: 'idle' }
  | { readonly type: 'pause' }
  | { readonly type: 'continue' }
  | { readonly type: 'setData'; readonly data: T; readonly at: number }
  | { readonly type: 'invalidate' };

let initial: EntryState<never> | undefined;

/** The state of a key nobody has fetched yet: one shared object (states are never mutated). */
export function initialEntryState<T>(): EntryState<T> {
  return (initial ??= {
    status: 'pending',
    data: undefined,
    error: null,
    updatedAt: 0,
    fetchStatus: 'idle',
    failureCount: 0,
    failureReason: null,
    isInvalidated: false,
    fetchMeta: undefined,
  });
}

/** The one place entry state changes: pure, so every transition is testable on its own. */
export function reduceEntry<T>(state: EntryState<T>, action: EntryAction<T>): EntryState<T> {
  switch (action.type) {
    case 'fetch':
      return { ...state, fetchStatus: 'fetching', failureCount: 0, failureReason: null, fetchMeta: action.meta };
    // Data arrived: the hottest transitions (every setData, every hydrated entry) are written out
    // field by field, not spread: a literal keeps one object shape whatever shapes came before.
    case 'success':
      return withData(state, action.data, action.at, 0, null);
    case 'setData':
      return withData(state, action.data, action.at, state.failureCount, state.failureReason);
    case 'failure':
      return { ...state, failureCount: action.failureCount, failureReason: action.error };
    case 'error':
      return {
        ...state,
        // As in TanStack Query: the status says the last fetch failed; data already shown stays.
        status: 'error',
        error: action.error,
        failureCount: state.failureCount + 1,
        failureReason: action.error,
        fetchStatus: 'idle',
        fetchMeta: undefined,
      };
    case 'idle':
      // The run completed or was cancelled (last observer left): nothing is fetching any more.
      return state.fetchStatus === 'idle' ? state : { ...state, fetchStatus: 'idle', fetchMeta: undefined };
    case 'pause':
      // Offline: the fetch waits for the network instead of making a request that can only fail.
      return state.fetchStatus === 'fetching' ? { ...state, fetchStatus: 'paused' } : state;
    case 'continue':
      return state.fetchStatus === 'paused' ? { ...state, fetchStatus: 'fetching' } : state;
    case 'invalidate':
      return state.isInvalidated ? state : { ...state, isInvalidated: true };
  }
}

function withData<T>(state: EntryState<T>, data: T, at: number, failureCount: number, failureReason: unknown): EntryState<T> {
  return {
    status: 'success',
    data,
    error: null,
    updatedAt: at,
    fetchStatus: state.fetchStatus,
    failureCount,
    failureReason,
    isInvalidated: false,
    fetchMeta: state.fetchMeta,
  };
}
