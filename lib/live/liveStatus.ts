import type { LiveTransport } from './liveTransport.js';

/** Where a room connection stands. */
export interface LiveStatus {
  /**
   * The transport's connection state. `refused`: the hub refused the token or the room, nothing is
   * retried until `retry()` (`error` says why). `offline`: the platform says there is no network.
   */
  readonly state: 'connecting' | 'open' | 'offline' | 'reconnecting' | 'refused' | 'closed';
  /** True while the connection is `open` and the hub welcomed it (authenticated, history replayed). */
  readonly joined: boolean;
  /** Our peer id in this room while joined. */
  readonly peer?: string;
  /** The last problem reported by the transport or the hub; cleared once a reconnect proved healthy. */
  readonly error?: unknown;
}

/** What a live transport reports about its connection. */
export type TransportStatusLike = LiveTransport['status$'] extends import('rxjs').Observable<infer S> ? S : never;

/**
 * The room's status from its transport's: `joined` only while the connection is `open` (not
 * `offline`, not a new connection the hub has not welcomed yet).
 */
export function liveStatus(transport: TransportStatusLike, welcomed: boolean, peer: string | undefined): LiveStatus {
  const { state, error } = transport;
  const joined = state === 'open' && welcomed;
  return {
    state,
    joined,
    ...(joined && peer !== undefined ? { peer } : {}),
    ...(error !== undefined ? { error } : {}),
  };
}

/** Whether two statuses say the same thing (a room's status is rebuilt on every transport change). */
export function sameLiveStatus(a: LiveStatus, b: LiveStatus): boolean {
  return a.state === b.state && a.joined === b.joined && a.peer === b.peer && a.error === b.error;
}
