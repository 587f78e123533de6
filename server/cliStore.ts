// Where the `rxsync-hub` command keeps its op log and how its processes hear each other, read from
// its flags and environment. Pure: it opens nothing, so every refusal is testable without a server.

/** The hub command's storage: one process on SQLite, or hubs sharing a PostgreSQL log (and a Redis bus). */
export type CliStore =
  | { readonly kind: 'sqlite'; readonly data: string }
  | {
      readonly kind: 'postgres';
      readonly connectionString: string;
      readonly schema?: string;
      readonly redis?: { readonly url: string; readonly prefix?: string };
    };

/** The command's flags this module reads (as `node:util` parseArgs returns them). */
export interface CliStoreFlags {
  readonly data?: string;
  readonly postgres?: string;
  readonly 'postgres-schema'?: string;
  readonly redis?: string;
  readonly 'redis-prefix'?: string;
}

/** The environment variables this module reads. */
export interface CliStoreEnv {
  readonly RXSYNC_POSTGRES_URL?: string;
  readonly RXSYNC_REDIS_URL?: string;
}

// A plain SQL identifier (the PostgreSQL log's own rule): the schema name ends up in SQL text.
const SCHEMA = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
// Redis keys and channels take any bytes; the prefix is kept to what reads unambiguously in logs.
const PREFIX = /^[A-Za-z0-9_.:-]{1,64}$/;

/** `text` when it is a URL of one of `protocols`; `source` names the flag or variable it came from. */
function url(source: string, text: string, protocols: readonly string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    // The text is not echoed: it may hold a password.
    throw new Error(`${source} must be a URL such as ${protocols[0]}//host:port`);
  }
  if (!protocols.includes(parsed.protocol))
    throw new Error(`${source} must be a ${protocols.join(' or ')} URL, got one starting with ${parsed.protocol}`);
  return text;
}

/**
 * The storage the flags ask for. A flag wins over its environment variable; an empty variable
 * counts as unset.
 *
 * - Neither `--postgres` nor `RXSYNC_POSTGRES_URL`: SQLite in `--data` (default `./.rxsync-hub`).
 *   `RXSYNC_REDIS_URL` is then ignored (it may be set for other tools), but `--redis` is refused:
 *   hubs that share rooms must share their log, so a bus alone would serve diverging histories.
 * - `--postgres`: the log in PostgreSQL (`--postgres-schema`, default the log's own), plus a Redis
 *   bus when `--redis` or `RXSYNC_REDIS_URL` is given. `--data` is refused with it.
 *
 * @throws Error naming the flag and the fix, for a malformed URL, schema or prefix, or flags that
 *   do not go together.
 */
export function cliStore(flags: CliStoreFlags, env: CliStoreEnv): CliStore {
  const given = (value: string | undefined): string | undefined => (value === '' ? undefined : value);
  for (const flag of ['data', 'postgres', 'postgres-schema', 'redis', 'redis-prefix'] as const)
    if (flags[flag] === '') throw new Error(`--${flag} needs a value`);
  const postgres = flags.postgres ?? given(env.RXSYNC_POSTGRES_URL);
  if (postgres === undefined) {
    if (flags.redis !== undefined)
      throw new Error(
        '--redis needs --postgres (or RXSYNC_POSTGRES_URL): hubs that share rooms must share one op log, a Redis bus only tells them what changed',
      );
    if (flags['postgres-schema'] !== undefined) throw new Error('--postgres-schema goes with --postgres');
    if (flags['redis-prefix'] !== undefined) throw new Error('--redis-prefix goes with --redis and --postgres');
    return { kind: 'sqlite', data: flags.data ?? './.rxsync-hub' };
  }
  if (flags.data !== undefined)
    throw new Error("--data is the SQLite log's folder: leave it out with --postgres (the log is in PostgreSQL)");
  const connectionString = url(flags.postgres !== undefined ? '--postgres' : 'RXSYNC_POSTGRES_URL', postgres, ['postgres:', 'postgresql:']);
  const schema = flags['postgres-schema'];
  if (schema !== undefined && !SCHEMA.test(schema))
    throw new Error(`--postgres-schema must be a letter or _ then up to 62 letters, digits or _, got ${JSON.stringify(schema)}`);
  const redisUrl = flags.redis ?? given(env.RXSYNC_REDIS_URL);
  const prefix = flags['redis-prefix'];
  if (redisUrl === undefined && prefix !== undefined) throw new Error('--redis-prefix goes with --redis (or RXSYNC_REDIS_URL)');
  if (prefix !== undefined && !PREFIX.test(prefix))
    throw new Error(`--redis-prefix must be 1 to 64 of A-Z a-z 0-9 _ . : -, got ${JSON.stringify(prefix)}`);
  return {
    kind: 'postgres',
    connectionString,
    ...(schema !== undefined ? { schema } : {}),
    ...(redisUrl !== undefined
      ? {
          redis: {
            url: url(flags.redis !== undefined ? '--redis' : 'RXSYNC_REDIS_URL', redisUrl, ['redis:', 'rediss:']),
            ...(prefix !== undefined ? { prefix } : {}),
          },
        }
      : {}),
  };
}

/** A store's URL for a log line: scheme, host, port and path, never the user or password. */
export function redactedUrl(text: string): string {
  const parsed = new URL(text);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}
