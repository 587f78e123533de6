import { RxSyncError } from '../errors.js';

/** One queued operation, as stored. JSON-safe. */
export interface OutboxOp<P = unknown> {
  /** Unique id; sent to the server as the idempotency key, so a replay is applied once. */
  readonly id: string;
  /** The sender that delivers it (looked up by name, so replay after a reload needs no closure). */
  readonly name: string;
  readonly payload: P;
  /** Ops of one scope are sent one at a time, in order; different scopes go in parallel. */
  readonly scope: string;
  /** Position among the ops of its writer; orders them across reloads. */
  readonly seq: number;
  /**
   * The outbox instance (tab, process) that queued it: a random id per instance, so instances
   * sharing one storage never write the same keys. Absent on ops stored by older versions.
   */
  readonly writer?: string;
  /** Hybrid logical clock stamp of the write, when the outbox has a clock. */
  readonly stamp?: string;
  /** When it was queued (ms since epoch; never decreasing within one writer). */
  readonly createdAt: number;
  /** Failed deliveries so far. */
  readonly attempts: number;
  /** Message of the last failure. */
  readonly lastError?: string;
  /** App data kept with the op (e.g. how to roll back an optimistic update). JSON. */
  readonly meta?: unknown;
}

/** An op that failed for good, with the error that decided it. */
export interface DeadLetter<P = unknown> {
  readonly op: OutboxOp<P>;
  readonly error: string;
  /** HTTP status or error code, when known. */
  readonly status?: number | string;
  readonly deadAt: number;
}

/**
 * Checks a value read from storage before it is trusted: all-or-nothing, the error names the
 * storage key and the field.
 */
export function validateOp(value: unknown, storageKey: string): OutboxOp {
  const fail = (field: string, problem: string): never => {
    throw new RxSyncError('E_OUTBOX_CORRUPT', `Outbox entry ${storageKey}: ${field} ${problem}`, { details: { key: storageKey, field } });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('entry', 'is not an object');
  const op = value as Record<string, unknown>;
  for (const field of ['id', 'name', 'scope'] as const) {
    if (typeof op[field] !== 'string' || op[field] === '') fail(field, 'must be a non-empty string');
  }
  if (!Number.isSafeInteger(op['seq']) || (op['seq'] as number) < 0) fail('seq', 'must be an integer ≥ 0');
  if (!Number.isSafeInteger(op['attempts']) || (op['attempts'] as number) < 0) fail('attempts', 'must be an integer ≥ 0');
  if (typeof op['createdAt'] !== 'number' || !Number.isFinite(op['createdAt'])) fail('createdAt', 'must be a time in ms');
  if (op['stamp'] !== undefined && typeof op['stamp'] !== 'string') fail('stamp', 'must be a string');
  if (op['lastError'] !== undefined && typeof op['lastError'] !== 'string') fail('lastError', 'must be a string');
  if (op['writer'] !== undefined && (typeof op['writer'] !== 'string' || op['writer'] === '')) fail('writer', 'must be a non-empty string');
  return op as unknown as OutboxOp;
}

/**
 * The order ops are sent in, within a scope: by the time they were queued, then by writer id,
 * then by seq. Each writer's `createdAt` never decreases, so one tab's ops keep their exact
 * order; ops of two tabs interleave by when they were queued (ties broken by writer id).
 */
export function compareOps(a: OutboxOp, b: OutboxOp): number {
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  const wa = a.writer ?? '';
  const wb = b.writer ?? '';
  if (wa !== wb) return wa < wb ? -1 : 1;
  return a.seq - b.seq;
}
