import { RxSyncError } from '../lib/errors.js';
import { inTransaction, type PostgresPool } from './postgresPool.js';

/** What a schema name may be: a plain SQL identifier, so it can be quoted without surprises. */
export const SCHEMA_NAME_RULE = 'a letter or _ then up to 62 letters, digits or _';

/** Whether `name` can name the op log's schema (see {@link SCHEMA_NAME_RULE}). */
export function isSchemaName(name: unknown): name is string {
  return typeof name === 'string' && /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name);
}

/** `name` as a quoted identifier; only called on names {@link isSchemaName} accepted. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The log's migrations, in order: migration `i` brings the schema to version `i + 1`. Append new
 * ones at the end and never edit an applied one: hubs of different versions may share a database.
 * `$schema` stands for the quoted schema name.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE $schema.rooms (
    room text PRIMARY KEY,
    head bigint NOT NULL DEFAULT 0 CHECK (head >= 0)
  );
  CREATE TABLE $schema.ops (
    room text NOT NULL,
    seq bigint NOT NULL CHECK (seq > 0),
    op_id text NOT NULL,
    op text NOT NULL,
    PRIMARY KEY (room, seq),
    UNIQUE (room, op_id)
  );
  CREATE TABLE $schema.snapshots (
    room text PRIMARY KEY,
    seq bigint NOT NULL CHECK (seq >= 0),
    docs text NOT NULL
  );
  `,
];

/** The schema version this rxsync writes. */
export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

// First key of the advisory lock ('rxsy'); the second is a hash of the schema name, so hubs on
// different schemas do not wait for each other.
const LOCK_CLASS = 0x72787379;

/**
 * Creates the schema or brings it to {@link POSTGRES_SCHEMA_VERSION}, in one transaction under an
 * advisory lock: hubs starting together wait for each other instead of racing on `CREATE`, and a
 * failed migration leaves nothing behind. A schema newer than this rxsync is refused.
 */
export async function migrate(pool: PostgresPool, schema: string): Promise<void> {
  const quoted = quoteIdentifier(schema);
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${quoted}.rxsync_migrations (
        version integer PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const { rows } = await client.query(`SELECT COALESCE(MAX(version), 0) AS version FROM ${quoted}.rxsync_migrations`);
    const version = Number((rows[0] as { version?: unknown } | undefined)?.version);
    if (!Number.isSafeInteger(version) || version < 0) {
      throw new RxSyncError('E_LOG_READ', `Op log schema ${schema}: its migration table is damaged`);
    }
    if (version > POSTGRES_SCHEMA_VERSION) {
      throw new RxSyncError(
        'E_LOG_READ',
        `Op log schema ${schema} is at version ${version}; this rxsync knows up to ${POSTGRES_SCHEMA_VERSION}`,
      );
    }
    for (let next = version; next < MIGRATIONS.length; next++) {
      await client.query(MIGRATIONS[next]!.replaceAll('$schema', quoted));
      await client.query(`INSERT INTO ${quoted}.rxsync_migrations (version) VALUES ($1)`, [next + 1]);
    }
  });
}
