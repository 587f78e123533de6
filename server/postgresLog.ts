import { RxSyncError } from '../lib/errors.js';
import { checkOptions, describeValue, type OptionSpec } from '../lib/options/checkOptions.js';
import type { HubOp } from '../lib/protocol/hubMessages.js';
import type { AppendResult, LoggedOp, OpLog, RoomSnapshot } from './opLog.js';
import { createPool, inTransaction, withClient, type PostgresClient, type PostgresPool } from './postgresPool.js';
import { loggedOpOf, snapshotOf, storedOp, toCount } from './postgresRows.js';
import { isSchemaName, migrate, quoteIdentifier, SCHEMA_NAME_RULE } from './postgresSchema.js';

/** Options of {@link postgresLog}: exactly one of `connectionString` and `pool`. */
export interface PostgresLogOptions {
  /** Where to connect, e.g. `postgres://user@host:5432/db`; the log opens (and closes) its own pool. */
  readonly connectionString?: string;
  /** A `pg` `Pool` you own (`new Pool(…)` from pg 8.x): the log uses it and leaves it open on close. */
  readonly pool?: PostgresPool;
  /** Schema holding the log's tables, created if missing; default `'rxsync'`. Hubs sharing a log share it. */
  readonly schema?: string;
}

const postgresLogOptionSpec: OptionSpec = {
  connectionString: (value) => (typeof value === 'string' && value !== '' ? undefined : 'a non-empty string'),
  pool: (value) =>
    typeof value === 'object' && value !== null && typeof (value as { connect?: unknown }).connect === 'function' ? undefined : 'a pg Pool',
  schema: (value) => (isSchemaName(value) ? undefined : SCHEMA_NAME_RULE),
};

/** The driver's words for `cause` (checked by shape: errors may come from another realm). */
function reasonOf(cause: unknown): string {
  const message = (cause as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message !== '' ? message : describeValue(cause);
}

/** Why a write failed, with the driver's words in the message: the hub logs the message. */
function writeFailure(room: string, cause: unknown): RxSyncError {
  if (cause instanceof RxSyncError) return cause;
  return new RxSyncError('E_LOG_WRITE', `Op log of room ${room}: write failed (${reasonOf(cause)})`, { cause, details: { room } });
}

function readFailure(room: string, cause: unknown): RxSyncError {
  if (cause instanceof RxSyncError) return cause;
  return new RxSyncError('E_LOG_READ', `Op log of room ${room}: read failed (${reasonOf(cause)})`, { cause, details: { room } });
}

/** The new ops of a batch: not in `known` and first of their id within the batch, in batch order. */
function splitBatch(ops: readonly HubOp[], known: ReadonlySet<string>): { fresh: HubOp[]; duplicates: string[] } {
  const seen = new Set(known);
  const fresh: HubOp[] = [];
  const duplicates: string[] = [];
  for (const op of ops) {
    if (seen.has(op.id)) {
      duplicates.push(op.id);
    } else {
      seen.add(op.id);
      fresh.push(op);
    }
  }
  return { fresh, duplicates };
}

/**
 * An {@link OpLog} in PostgreSQL that several hub processes can share: each `append` is one
 * transaction that locks the room's row, so hubs appending to the same room at once still number
 * ops 1, 2, 3… without gaps, and an op id retried through another hub is stored once. The tables
 * live in their own schema, created or migrated on start (hubs starting together wait on an
 * advisory lock). Needs `pg` 8.x (an optional peer dependency, loaded only when this is called).
 *
 * A connection the server drops (restart, `pg_terminate_backend`) fails the call that used it with
 * `E_LOG_WRITE` / `E_LOG_READ`; the next call opens a fresh connection.
 *
 * @example
 * ```ts
 * const log = await postgresLog({ connectionString: process.env.DATABASE_URL });
 * const hub = createHub({ log });
 * ```
 */
export async function postgresLog(options: PostgresLogOptions): Promise<OpLog> {
  checkOptions('postgresLog', options, postgresLogOptionSpec);
  if ((options?.pool === undefined) === (options?.connectionString === undefined)) {
    throw new RxSyncError('E_OPTION_INVALID', 'postgresLog needs exactly one of `connectionString` and `pool`');
  }
  const schemaName = options.schema ?? 'rxsync';
  const schema = quoteIdentifier(schemaName);
  const ownsPool = options.pool === undefined;
  const pool = options.pool ?? (await createPool(options.connectionString!));
  // An idle connection the server drops emits `error` on the pool; unheard, it would end the
  // process. The pool has already discarded it, and the next call connects again: nothing to do.
  const onIdleError = (): void => undefined;
  pool.on('error', onIdleError);
  const release = async (): Promise<void> => {
    pool.removeListener('error', onIdleError);
    if (ownsPool) await pool.end();
  };
  try {
    await migrate(pool, schemaName);
  } catch (error) {
    await release().catch(() => undefined);
    if (error instanceof RxSyncError) throw error;
    throw new RxSyncError('E_LOG_READ', `Cannot open the op log in PostgreSQL schema ${schemaName} (${reasonOf(error)})`, { cause: error });
  }

  let closed = false;
  const open = (code: 'E_LOG_READ' | 'E_LOG_WRITE'): void => {
    if (closed) throw new RxSyncError(code, 'The op log is closed');
  };

  const headIn = async (client: PostgresClient, room: string): Promise<number> => {
    const { rows } = await client.query(`SELECT head FROM ${schema}.rooms WHERE room = $1`, [room]);
    return rows.length === 0 ? 0 : toCount(room, (rows[0] as { head?: unknown }).head, 'the head');
  };

  return {
    async append(room, ops) {
      open('E_LOG_WRITE');
      if (ops.length === 0) return { applied: [], duplicates: [] };
      try {
        return await inTransaction(pool, async (client): Promise<AppendResult> => {
          // Creates the room row if needed and locks it until commit: the other hubs' appends to
          // this room wait here, then see this one's ops and head.
          const locked = await client.query(
            `INSERT INTO ${schema}.rooms AS r (room, head) VALUES ($1, 0)
             ON CONFLICT (room) DO UPDATE SET head = r.head RETURNING head`,
            [room],
          );
          const head = toCount(room, (locked.rows[0] as { head?: unknown } | undefined)?.head, 'the head');
          const existing = await client.query(`SELECT op_id FROM ${schema}.ops WHERE room = $1 AND op_id = ANY($2::text[])`, [
            room,
            ops.map((op) => op.id),
          ]);
          const known = new Set(existing.rows.map((row) => (row as { op_id: string }).op_id));
          const { fresh, duplicates } = splitBatch(ops, known);
          const applied = fresh.map((op, i): LoggedOp => ({ seq: head + 1 + i, op }));
          if (applied.length > 0) {
            await client.query(
              `WITH added AS (
                 INSERT INTO ${schema}.ops (room, seq, op_id, op)
                 SELECT $1, seq, op_id, op FROM unnest($2::bigint[], $3::text[], $4::text[]) AS t(seq, op_id, op)
               )
               UPDATE ${schema}.rooms SET head = $5 WHERE room = $1`,
              [room, applied.map((l) => l.seq), fresh.map((op) => op.id), fresh.map(storedOp), head + applied.length],
            );
          }
          return { applied, duplicates };
        });
      } catch (error) {
        throw writeFailure(room, error);
      }
    },

    async read(room, afterSeq, limit) {
      open('E_LOG_READ');
      try {
        const { rows } = await withClient(pool, (client) =>
          client.query(`SELECT seq, op_id, op FROM ${schema}.ops WHERE room = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [
            room,
            Math.max(0, Math.floor(afterSeq)),
            Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : null,
          ]),
        );
        const logged = rows.map((row) => loggedOpOf(room, row));
        logged.forEach((entry, i) => {
          const previous = logged[i - 1];
          if (previous !== undefined && entry.seq !== previous.seq + 1) {
            throw new RxSyncError('E_LOG_READ', `Op log of room ${room} at seq ${entry.seq}: seqs jump from ${previous.seq}`, {
              details: { room, seq: entry.seq },
            });
          }
        });
        return logged;
      } catch (error) {
        throw readFailure(room, error);
      }
    },

    async head(room) {
      open('E_LOG_READ');
      try {
        return await withClient(pool, (client) => headIn(client, room));
      } catch (error) {
        throw readFailure(room, error);
      }
    },

    async snapshot(room): Promise<RoomSnapshot | undefined> {
      open('E_LOG_READ');
      try {
        const { rows } = await withClient(pool, (client) =>
          client.query(`SELECT seq, docs FROM ${schema}.snapshots WHERE room = $1`, [room]),
        );
        return rows.length === 0 ? undefined : snapshotOf(room, rows[0]);
      } catch (error) {
        throw readFailure(room, error);
      }
    },

    async saveSnapshot(room, snapshot) {
      open('E_LOG_WRITE');
      try {
        await withClient(pool, async (client) => {
          const head = await headIn(client, room);
          if (snapshot.seq > head) {
            throw new RxSyncError('E_LOG_WRITE', `Snapshot at seq ${snapshot.seq} is past the head of room ${room} (${head})`, {
              details: { room },
            });
          }
          // Heads only grow, so the check above stays true. Two hubs may save out of order: the
          // newer snapshot wins.
          await client.query(
            `INSERT INTO ${schema}.snapshots AS s (room, seq, docs) VALUES ($1, $2, $3)
             ON CONFLICT (room) DO UPDATE SET seq = excluded.seq, docs = excluded.docs WHERE s.seq < excluded.seq`,
            [room, snapshot.seq, JSON.stringify(snapshot.docs)],
          );
        });
      } catch (error) {
        throw writeFailure(room, error);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      await release();
    },
  };
}
