// The PostgreSQL and Redis the cluster suites run against: where they are, a check that they
// answer (a clear failure saying how to start them, never a silent skip), and per-test isolation
// (a schema of its own, a Redis key prefix of its own, both removed afterwards).
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { deleteKeys, redisCommand } from './resp';

/** The PostgreSQL the tests use: `RXSYNC_PG_URL`, by default the local one. */
export const PG_URL = process.env['RXSYNC_PG_URL'] || 'postgres://postgres@127.0.0.1:5432/test';
/** The shared Redis the tests use: `RXSYNC_REDIS_URL`, by default the local one. */
export const REDIS_URL = process.env['RXSYNC_REDIS_URL'] || 'redis://127.0.0.1:6379';

const HOW_TO_START = [
  'The cluster suites need a PostgreSQL 15 and a Redis 7 running locally (or RXSYNC_PG_URL / RXSYNC_REDIS_URL',
  'pointing at others). Start them, e.g. on Debian or Ubuntu:',
  '  PostgreSQL: pg_ctlcluster <version> main start   (trust auth for 127.0.0.1, a database named "test")',
  '  Redis:      redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
].join('\n');

async function pgAnswers(): Promise<string | undefined> {
  const client = new Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL is not reachable at ${PG_URL}: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisAnswers(): Promise<string | undefined> {
  try {
    const reply = await redisCommand(REDIS_URL, ['PING']);
    return reply === 'PONG' ? undefined : `Redis at ${REDIS_URL} answered ${JSON.stringify(reply)} to PING`;
  } catch (error) {
    return `Redis is not reachable at ${REDIS_URL}: ${(error as Error).message}`;
  }
}

/** Throws, saying how to start them, unless both PostgreSQL and Redis answer. Call it in `beforeAll`. */
export async function requireServices(): Promise<void> {
  const problems = (await Promise.all([pgAnswers(), redisAnswers()])).filter((p): p is string => p !== undefined);
  if (problems.length > 0) throw new Error(`${problems.join('\n')}\n\n${HOW_TO_START}`);
}

/** A short random name part: lower-case letters and digits only, safe in a schema name and a key pattern. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Runs `sql` on a connection of its own to {@link PG_URL}. */
export async function pgQuery<R extends object = Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<R[]> {
  const client = new Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as R[];
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A PostgreSQL schema and a Redis key prefix for one test, and how to remove both. */
export interface Isolation {
  readonly schema: string;
  readonly prefix: string;
  /** Drops the schema (cascade) and deletes the prefix's keys from the shared Redis. */
  drop(): Promise<void>;
}

/** Creates an empty schema and picks a key prefix, both unique to this test. */
export async function isolate(label: string): Promise<Isolation> {
  const schema = uniqueName(`rxsync_${label}`);
  const prefix = `${uniqueName(`rxsync-${label}`)}:`;
  await pgQuery(`CREATE SCHEMA "${schema}"`);
  return {
    schema,
    prefix,
    async drop() {
      await pgQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await deleteKeys(REDIS_URL, prefix).catch(() => undefined);
    },
  };
}
