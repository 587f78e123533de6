import { RxSyncError } from '../errors.js';

/** Why a codec refused an incoming envelope. */
export type CodecRejectCode = 'E_DECRYPT' | 'E_KEY_UNKNOWN' | 'E_ENVELOPE' | 'E_TOO_LARGE';

/** Every {@link CodecRejectCode}, for counters and dashboards. */
export const CODEC_REJECT_CODES: readonly CodecRejectCode[] = ['E_DECRYPT', 'E_KEY_UNKNOWN', 'E_ENVELOPE', 'E_TOO_LARGE'];

/**
 * Called once for every envelope a codec refuses, with the error that is thrown (or, in the
 * stream operators, the message dropped). Hook it to a metric; it must not throw.
 */
export type RejectHandler = (code: CodecRejectCode, error: CodecRejection) => void;

/** The error a codec throws when it refuses input: an {@link RxSyncError} whose code is a {@link CodecRejectCode}. */
export type CodecRejection = RxSyncError & { readonly code: CodecRejectCode };

/** A coded rejection of untrusted input. */
export function rejection(code: CodecRejectCode, message: string, details?: Record<string, unknown>, cause?: unknown): CodecRejection {
  return new RxSyncError(code, `codec: ${message}`, { cause, details }) as CodecRejection;
}

/** True for the errors a codec throws when it refuses input (as opposed to a bug or a bad option). */
export function isCodecRejection(error: unknown): error is CodecRejection {
  return error instanceof RxSyncError && (CODEC_REJECT_CODES as readonly string[]).includes(error.code);
}

/** Counts of rejects by code, and the handler that fills them: see {@link rejectCounter}. */
export interface RejectCounter {
  /** How many envelopes were refused, per code. */
  readonly counts: Readonly<Record<CodecRejectCode, number>>;
  /** Pass this as `onReject`. */
  readonly onReject: RejectHandler;
  /** The sum over every code. */
  total(): number;
}

/**
 * The smallest metrics hook: a counter per reject code.
 *
 * @example
 * ```ts
 * const rejects = rejectCounter();
 * const codec = codecChain([json(), encrypt({ keys, currentKeyId })], { onReject: rejects.onReject });
 * // later: metrics.gauge('codec_rejects_decrypt', rejects.counts.E_DECRYPT)
 * ```
 */
export function rejectCounter(): RejectCounter {
  const counts: Record<CodecRejectCode, number> = { E_DECRYPT: 0, E_KEY_UNKNOWN: 0, E_ENVELOPE: 0, E_TOO_LARGE: 0 };
  return {
    counts,
    onReject: (code) => {
      counts[code]++;
    },
    total: () => CODEC_REJECT_CODES.reduce((sum, code) => sum + counts[code], 0),
  };
}
