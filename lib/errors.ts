/**
 * Every failure rxsync reports on purpose carries a stable `code`, so apps can branch on it
 * without parsing messages.
 */
export type RxSyncErrorCode =
  'E_KEY_INVALID' | 'E_OPTION_UNKNOWN' | 'E_OPTION_INVALID' | 'E_FETCH_THREW' | 'E_ABORTED' | 'E_HTTP' | (string & {});

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
