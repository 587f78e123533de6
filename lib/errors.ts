/**
 * Every failure rxsync reports on purpose carries a stable `code`, so apps can branch on it
 * without parsing messages.
 */
export type RxSyncErrorCode =
  // queries and options
  | 'E_KEY_INVALID'
  | 'E_OPTION_UNKNOWN'
  | 'E_OPTION_INVALID'
  | 'E_FETCH_THREW'
  | 'E_SELECT_THREW'
  | 'E_ABORTED'
  | 'E_HTTP'
  | 'E_HYDRATE_INVALID'
  | 'E_CACHE_DISCARDED'
  // outbox and storage
  | 'E_OUTBOX_FULL'
  | 'E_OUTBOX_CLOSED'
  | 'E_OUTBOX_CORRUPT'
  | 'E_OUTBOX_INVALID'
  | 'E_OUTBOX_UNKNOWN'
  | 'E_MUTATION_FAILED'
  | 'E_STORAGE_WRITE'
  | 'E_STORAGE_READ'
  | 'E_STORAGE_QUOTA'
  | 'E_STORAGE_TIMEOUT'
  | 'E_STORAGE_UNAVAILABLE'
  | 'E_STORAGE_INVALID'
  | 'E_STORAGE_CORRUPT'
  // clocks and CRDTs
  | 'E_HLC_INVALID'
  | 'E_HLC_DRIFT'
  | 'E_HLC_CLOCK'
  | 'E_CRDT_INVALID'
  | 'E_MERGE_REJECTED'
  // live documents
  | 'E_SCHEMA_REJECTED'
  | 'E_LIVE_CLOSED'
  | 'E_LIVE_KEY'
  | 'E_DOC_TYPE'
  | 'E_DOC_TYPE_UNAVAILABLE'
  | 'E_YJS_UPDATE_INVALID'
  // transports and RPC
  | 'E_FRAME_INVALID'
  | 'E_SEND_OVERFLOW'
  | 'E_HEARTBEAT_TIMEOUT'
  | 'E_RECONNECT_EXHAUSTED'
  | 'E_CONNECTION_LOST'
  | 'E_RPC_TIMEOUT'
  | 'E_RPC_CLOSED'
  | 'E_RPC_OVERFLOW'
  | 'E_RPC_INVALID'
  | 'E_RPC_NO_METHOD'
  // codecs
  | 'E_ENVELOPE'
  | 'E_DECRYPT'
  | 'E_KEY_UNKNOWN'
  | 'E_TOO_LARGE'
  // sync hub
  | 'E_MESSAGE_INVALID'
  | 'E_SNAPSHOT_INVALID'
  | 'E_SNAPSHOT_AHEAD'
  | 'E_SNAPSHOT_STALE'
  | 'E_OP_INVALID'
  | 'E_HELLO_REQUIRED'
  | 'E_HELLO_REPEATED'
  | 'E_HELLO_TIMEOUT'
  | 'E_IDLE_TIMEOUT'
  | 'E_ROOM_INVALID'
  | 'E_UNAUTHORIZED'
  | 'E_FORBIDDEN'
  | 'E_ROOM_FULL'
  | 'E_HUB_FULL'
  | 'E_RATE_LIMITED'
  | 'E_SLOW_CONSUMER'
  | 'E_SESSION_UNKNOWN'
  | 'E_HUB_CLOSED'
  | 'E_LOG_WRITE'
  | 'E_LOG_READ'
  | 'E_BUS_CLOSED'
  | 'E_BUS_INVALID'
  | 'E_BUS_UNREACHABLE'
  | 'E_DEPENDENCY_MISSING'
  // any other code a module defines; the list above is what editors suggest
  | (string & {});

/**
 * The error type of rxsync. `code` names the problem (`E_KEY_INVALID`, `E_OPTION_UNKNOWN`, …);
 * `cause` keeps the underlying error when there is one.
 *
 * @example
 * ```ts
 * if (err instanceof RxSyncError && err.code === 'E_KEY_INVALID') showBug(err.message);
 * ```
 */
export class RxSyncError extends Error {
  /** A stable, machine-readable code such as `E_KEY_INVALID`. */
  readonly code: RxSyncErrorCode;
  /** Extra facts about the failure (the offending path, the HTTP status, …). */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: RxSyncErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RxSyncError';
    this.code = code;
    this.details = options?.details;
  }
}

/** True when `err` is an {@link RxSyncError}, optionally with the given code. */
export function isRxSyncError(err: unknown, code?: RxSyncErrorCode): err is RxSyncError {
  return err instanceof RxSyncError && (code === undefined || err.code === code);
}
