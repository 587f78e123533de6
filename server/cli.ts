/// <reference types="node" />
// The `rxsync-hub` command: a hub with its op log in a data folder. Built to dist/hub-cli.js.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDecimal } from './decimal.js';
import { createHub, defaultLogger, hmacTokens, isLogLevel, openSqliteLog } from './index.js';

const USAGE = `Usage: rxsync-hub [--port 8787] [--host 127.0.0.1] [--data ./.rxsync-hub] [--secret S]
                  [--snapshot-every 1000] [--presence-timeout 30000]
                  [--log-level info] [--drain-deadline 10000]

  --secret S            HMAC secret for tokens (or env RXSYNC_HUB_SECRET); without one, anyone may join any room.
  --log-level L         silent, fatal, error, warn, info (default), debug or trace; JSON lines on stderr.
  --drain-deadline MS   On SIGTERM or SIGINT: ms to finish commits and close connections (1012) before exiting.
`;

function positiveInt(name: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const value = parseDecimal(text);
  if (value === undefined || value < min) throw new Error(`--${name} must be an integer >= ${min} in decimal digits, got ${text}`);
  return value;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      secret: { type: 'string' },
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
  const data = values.data ?? './.rxsync-hub';
  const secret = values.secret ?? process.env['RXSYNC_HUB_SECRET'];
  const snapshotEvery = positiveInt('snapshot-every', values['snapshot-every'], 1000);
  const presenceTimeout = positiveInt('presence-timeout', values['presence-timeout'], 30_000);
  const drainDeadline = positiveInt('drain-deadline', values['drain-deadline'], 10_000, 0);
  const level = values['log-level'] ?? 'info';
  if (!isLogLevel(level)) throw new Error(`--log-level must be silent, fatal, error, warn, info, debug or trace, got ${level}`);
  const logger = defaultLogger(level);

  mkdirSync(data, { recursive: true });
  const dbPath = join(data, 'hub.db');
  const log = await openSqliteLog({ path: dbPath });
  const hub = createHub({
    log,
    snapshotEvery,
    presenceTimeout,
    logger,
    ...(secret !== undefined && secret !== '' ? { authenticate: hmacTokens({ secret }).authenticate } : {}),
  });
  if (secret === undefined || secret === '') logger.warn({}, 'no --secret: anyone may join any room');

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
    `rxsync-hub listening on ${url} (WebSocket ${wsUrl}/ws, SSE ${url}/sse, polling ${url}/poll, POST ${url}/send, metrics ${url}/metrics, health ${url}/healthz ${url}/readyz; log ${dbPath})\n`,
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`rxsync-hub: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
});
