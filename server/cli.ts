/// <reference types="node" />
// The `rxsync-hub` command: a hub with its op log in a data folder (SQLite), or one of several hubs
// sharing a PostgreSQL log and a Redis bus. Built to dist/hub-cli.js.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDecimal } from './decimal.js';
import { cliStore, redactedUrl, type CliStore } from './cliStore.js';
import {
  createHub,
  defaultLogger,
  hmacTokens,
  isLogLevel,
  jwtTokens,
  openSqliteLog,
  postgresLog,
  redisBus,
  type Authenticate,
  type HubBus,
  type HubLogger,
  type OpLog,
} from './index.js';

const USAGE = `Usage: rxsync-hub [--port 8787] [--host 127.0.0.1] [--data ./.rxsync-hub] [--secret S]
                  [--postgres URL [--postgres-schema NAME] [--redis URL [--redis-prefix P]]]
                  [--jwks-url URL | --jwt-secret-file F | --jwt-public-key-file F --issuer I --audience A]
                  [--refresh-before 60000] [--snapshot-every 1000] [--presence-timeout 30000]
                  [--log-level info] [--drain-deadline 10000]

  --data DIR               the op log in DIR/hub.db (SQLite): one hub process.
  --postgres URL           the op log in PostgreSQL (or env RXSYNC_POSTGRES_URL), postgres://user@host:5432/db.
  --postgres-schema NAME   the schema of the log's tables (letters, digits, _); hubs sharing rooms use the same.
  --redis URL              hubs sharing the log hear each other's commits and presence over Redis
                           (or env RXSYNC_REDIS_URL), redis://host:6379. Needs --postgres. Several hub
                           processes on one log need it: without it they do not hear each other's edits.
  --redis-prefix P         the prefix of the bus's channel names (A-Z a-z 0-9 _ . : -), one per cluster.
  --secret S               hmacTokens secret (or env RXSYNC_HUB_SECRET), the simple dev option.
  --jwks-url URL           JWTs checked against the identity provider's key set (fetched and cached).
  --jwt-secret-file F      JWTs signed with the shared secret in file F (HS256/384/512, >= 32 bytes).
  --jwt-public-key-file F  JWTs signed with the private half of the PEM public key in file F.
  --issuer I, --audience A required with a JWT option: the token's iss and aud.
  --refresh-before MS      ask a session for a fresh token this long before its token expires.
  --log-level L            silent, fatal, error, warn, info (default), debug or trace; JSON lines on stderr.
  --drain-deadline MS      on SIGTERM or SIGINT: ms to finish commits and close connections (1012) before exiting.
  Without a token option, anyone may join any room.
`;

/** The `authenticate` the token options ask for, or `undefined` when none was given. */
function tokenCheck(values: Record<string, string | boolean | undefined>): Authenticate | undefined {
  const text = (name: string): string | undefined => (typeof values[name] === 'string' && values[name] !== '' ? values[name] : undefined);
  const secret = text('secret') ?? process.env['RXSYNC_HUB_SECRET'];
  const jwt = (['jwks-url', 'jwt-secret-file', 'jwt-public-key-file'] as const).filter((name) => text(name) !== undefined);
  if (jwt.length === 0) {
    if (text('issuer') !== undefined || text('audience') !== undefined) throw new Error('--issuer and --audience go with a JWT option');
    return secret === undefined || secret === '' ? undefined : hmacTokens({ secret }).authenticate;
  }
  if (jwt.length > 1 || text('secret') !== undefined)
    throw new Error('give one token option: --secret, --jwks-url, --jwt-secret-file or --jwt-public-key-file');
  const issuer = text('issuer');
  const audience = text('audience');
  if (issuer === undefined || audience === undefined) throw new Error(`--${jwt[0]} needs --issuer and --audience`);
  const jwksUrl = text('jwks-url');
  const secretFile = text('jwt-secret-file');
  const publicKeyFile = text('jwt-public-key-file');
  const key =
    jwksUrl !== undefined
      ? { jwks: jwksUrl }
      : secretFile !== undefined
        ? { secret: readFileSync(secretFile) }
        : { publicKey: readFileSync(publicKeyFile as string, 'utf8') };
  return jwtTokens({ ...key, issuer, audience }).authenticate;
}

/** Opens the log (and bus) the storage flags ask for; `where` says which, without credentials. */
async function openStore(store: CliStore, logger: HubLogger): Promise<{ log: OpLog; bus?: HubBus; where: string }> {
  if (store.kind === 'sqlite') {
    mkdirSync(store.data, { recursive: true });
    const path = join(store.data, 'hub.db');
    return { log: await openSqliteLog({ path }), where: `log ${path}` };
  }
  const log = await postgresLog({
    connectionString: store.connectionString,
    ...(store.schema !== undefined ? { schema: store.schema } : {}),
  });
  const where = `log ${redactedUrl(store.connectionString)}${store.schema !== undefined ? ` schema ${store.schema}` : ''}`;
  if (store.redis === undefined) return { log, where };
  try {
    const bus = await redisBus({
      url: store.redis.url,
      ...(store.redis.prefix !== undefined ? { prefix: store.redis.prefix } : {}),
      // Lost connections and refused messages: the hubs recover from the log, the operator should know.
      onError: (error) => logger.warn({ err: error }, 'redis bus'),
    });
    return {
      log,
      bus,
      where: `${where}, bus ${redactedUrl(store.redis.url)}${store.redis.prefix !== undefined ? ` prefix ${store.redis.prefix}` : ''}`,
    };
  } catch (error) {
    await log.close();
    throw error;
  }
}

function positiveInt(name: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const value = parseDecimal(text);
  if (value === undefined || value < min) throw new Error(`--${name} must be an integer >= ${min} in decimal digits, got ${text}`);
  return value;
}

// Errors before this is set are the user's flags (exit 2 with the usage); after, the environment's
// (a database that is down: exit 1, no usage).
let flagsRead = false;

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      postgres: { type: 'string' },
      'postgres-schema': { type: 'string' },
      redis: { type: 'string' },
      'redis-prefix': { type: 'string' },
      secret: { type: 'string' },
      'jwks-url': { type: 'string' },
      'jwt-secret-file': { type: 'string' },
      'jwt-public-key-file': { type: 'string' },
      issuer: { type: 'string' },
      audience: { type: 'string' },
      'refresh-before': { type: 'string' },
      'snapshot-every': { type: 'string' },
      'presence-timeout': { type: 'string' },
      'log-level': { type: 'string' },
      'drain-deadline': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return;
  }
  const port = positiveInt('port', values.port, 8787, 0);
  const host = values.host ?? '127.0.0.1';
  const store = cliStore(values, process.env);
  const authenticate = tokenCheck(values);
  const refreshBefore = positiveInt('refresh-before', values['refresh-before'], 60_000, 0);
  const snapshotEvery = positiveInt('snapshot-every', values['snapshot-every'], 1000);
  const presenceTimeout = positiveInt('presence-timeout', values['presence-timeout'], 30_000);
  const drainDeadline = positiveInt('drain-deadline', values['drain-deadline'], 10_000, 0);
  const level = values['log-level'] ?? 'info';
  if (!isLogLevel(level)) throw new Error(`--log-level must be silent, fatal, error, warn, info, debug or trace, got ${level}`);
  const logger = defaultLogger(level);
  flagsRead = true;

  const { log, bus, where } = await openStore(store, logger);
  const hub = createHub({
    log,
    ...(bus !== undefined ? { bus } : {}),
    snapshotEvery,
    presenceTimeout,
    logger,
    refreshBefore,
    ...(authenticate !== undefined ? { authenticate } : {}),
  });
  if (authenticate === undefined) logger.warn({}, 'no token option (--secret, --jwks-url…): anyone may join any room');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    // The drain cuts what is left at its deadline; this only guards against a log that never closes.
    setTimeout(() => {
      logger.error({ signal }, 'drain did not finish: exiting');
      process.exit(1);
    }, drainDeadline + 10_000).unref();
    hub.drain({ deadline: drainDeadline }).then(
      () => {
        process.stdout.write(`rxsync-hub stopped (${signal})\n`);
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'failed to close');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const { url } = await hub.listen(port, host);
  const wsUrl = url.replace(/^http/, 'ws');
  process.stdout.write(
    `rxsync-hub listening on ${url} (WebSocket ${wsUrl}/ws, SSE ${url}/sse, polling ${url}/poll, POST ${url}/send, metrics ${url}/metrics, health ${url}/healthz ${url}/readyz; ${where})\n`,
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`rxsync-hub: ${error instanceof Error ? error.message : String(error)}\n${flagsRead ? '' : USAGE}`);
  process.exit(flagsRead ? 1 : 2);
});
