import { RxSyncError, type RxSyncErrorCode } from '../errors.js';

/**
 * A final answer from the receiver: it refused the op and will refuse it again (a hub's `reject`,
 * a validation failure). A sender throws it to have the op dead-lettered at once instead of
 * retried; `isTransientError` reports it as permanent whatever else the error carries.
 *
 * @example
 * ```ts
 * outbox.register('rename', async (op) => {
 *   const answer = await api.rename(op.payload);
 *   if (!answer.ok) throw new RefusedError('E_RENAME_REFUSED', answer.reason);
 * });
 * ```
 */
export class RefusedError extends RxSyncError {
  /** Always true: a refusal is never retried. */
  readonly permanent = true;

  constructor(code: RxSyncErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(code, message, options);
    this.name = 'RefusedError';
  }
}

/** True when `error` is a {@link RefusedError} (a final refusal, never retried). */
export function isRefusal(error: unknown): error is RefusedError {
  return error instanceof RefusedError;
}
