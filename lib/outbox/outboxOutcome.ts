import type { DeadLetter, OutboxOp } from './outboxOp.js';

/**
 * How one delivery ended: acknowledged with the receiver's answer, or failed for good. `op` is
 * the op as last attempted (its `attempts` and `lastError` count every failure so far).
 */
export type OutboxOutcome =
  | { readonly ok: true; readonly op: OutboxOp; readonly result: unknown }
  | { readonly ok: false; readonly op: OutboxOp; readonly error: unknown };

/** The dead letter kept for a failed outcome. */
export function deadLetterOf(op: OutboxOp, error: unknown, deadAt: number): DeadLetter {
  return { op, error: errorMessage(error), deadAt, ...statusOf(error) };
}

/** An error's message, for `lastError` and dead letters (which are stored as JSON). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The HTTP status or error code a dead letter carries (a `RefusedError`'s code, an `E_HTTP`'s status). */
function statusOf(error: unknown): { status?: number | string } {
  const e = error as { status?: unknown; code?: unknown } | null;
  if (typeof e?.status === 'number') return { status: e.status };
  if (typeof e?.code === 'string') return { status: e.code };
  return {};
}
