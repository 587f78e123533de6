// Three hub processes sharing one PostgreSQL log and one Redis bus, behind a round-robin TCP proxy.
// `npm run cluster` (builds the package when stale, then runs this). See README.md in this folder.
//
//   node samples/cluster/start.mjs [--port 8790] [--hub-ports 8791,8792,8793] [--host 127.0.0.1]
//     [--postgres URL] [--postgres-schema rxsync_cluster] [--redis URL] [--redis-prefix rxsync-cluster:]
//     [--log-level warn]
//
// --postgres defaults to RXSYNC_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/postgres;
// --redis to RXSYNC_REDIS_URL, else redis://127.0.0.1:6379. `--port 0` puts the proxy and every hub
// on a free port. Prints one line per hub and the proxy, then `ready`; stops everything on SIGINT
// or SIGTERM. A hub that exits is reported, not restarted: the line says how to start it again.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { roundRobinProxy } from './proxy.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'hub-cli.js');

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '8790' },
    'hub-ports': { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    postgres: { type: 'string', default: process.env.RXSYNC_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres' },
    'postgres-schema': { type: 'string', default: 'rxsync_cluster' },
    redis: { type: 'string', default: process.env.RXSYNC_REDIS_URL || 'redis://127.0.0.1:6379' },
    'redis-prefix': { type: 'string', default: 'rxsync-cluster:' },
    'log-level': { type: 'string', default: 'warn' },
  },
});

function fail(message) {
  console.error(`cluster: ${message}`);
  process.exit(1);
}

const proxyPort = Number(args.port);
if (!Number.isInteger(proxyPort) || proxyPort < 0 || proxyPort > 65535) fail(`--port must be a port number, got ${args.port}`);
const hubPorts = (args['hub-ports'] ?? (proxyPort === 0 ? '0,0,0' : [1, 2, 3].map((n) => proxyPort + n).join(','))).split(',').map(Number);
if (hubPorts.length === 0 || hubPorts.some((p) => !Number.isInteger(p) || p < 0 || p > 65535))
  fail(`--hub-ports must be port numbers separated by commas, got ${args['hub-ports']}`);
if (!existsSync(cli)) fail('dist/hub-cli.js is missing: run `npm run build` first (or `npm run cluster`, which does).');

const hubArgs = (port) => [
  '--port',
  String(port),
  '--host',
  args.host,
  '--postgres',
  args.postgres,
  '--postgres-schema',
  args['postgres-schema'],
  '--redis',
  args.redis,
  '--redis-prefix',
  args['redis-prefix'],
  '--log-level',
  args['log-level'],
];

/** Starts one hub process; resolves with its port once it prints where it listens. */
function startHub(index, port) {
  // The hub logs JSON lines on stderr, passed through as they come, each marked with its hub.
  const child = spawn(process.execPath, [cli, ...hubArgs(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.on('data', (chunk) => {
    for (const line of chunk.toString().split('\n')) if (line !== '') process.stderr.write(`[hub ${index}] ${line}\n`);
  });
  return new Promise((resolveHub, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk.toString();
      const match = /listening on http:\/\/([^\s]+):(\d+)/.exec(out);
      if (match !== null && out.endsWith('\n')) resolveHub({ index, child, host: match[1], port: Number(match[2]) });
    });
    // The hub said why on stderr (passed through above); exit 2 is a refused flag, 1 a store it could not open.
    const hint = (code) => (code === 2 ? 'a flag was refused' : 'is PostgreSQL up at --postgres and Redis at --redis?');
    child.once('exit', (code) =>
      reject(new Error(`hub ${index} exited with ${code} before listening (${hint(code)}; see its output above)`)),
    );
  });
}

const starting = hubPorts.map((port, i) => startHub(i + 1, port));
const started = await Promise.allSettled(starting);
const refused = started.find((outcome) => outcome.status === 'rejected');
if (refused !== undefined) {
  // Stop the hubs that did start: nothing is left running behind an error.
  for (const outcome of started) if (outcome.status === 'fulfilled') outcome.value.child.kill('SIGTERM');
  fail(refused.reason.message);
}
const hubs = started.map((outcome) => outcome.value);
const proxy = await roundRobinProxy(
  hubs.map((hub) => ({ host: hub.host, port: hub.port })),
  { port: proxyPort, host: args.host },
);

let stopping = false;
const ws = (host, port) => `ws://${host}:${port}/ws`;
for (const hub of hubs) {
  console.log(`hub ${hub.index}  ${ws(hub.host, hub.port)}  (pid ${hub.child.pid})`);
  hub.child.once('exit', (code, signal) => {
    if (stopping) return;
    console.log(
      `hub ${hub.index} exited (${signal ?? `code ${code}`}): new connections go to the other hubs. Start it again with:\n` +
        `  node ${relative(process.cwd(), cli)} ${hubArgs(hub.port).join(' ')}`,
    );
  });
}
console.log(`proxy  ${ws(args.host, proxy.port)}  (round-robin over the ${hubs.length} hubs; WebSocket only, see README.md)`);
console.log('ready');

async function stop() {
  if (stopping) return;
  stopping = true;
  await proxy.close();
  const exits = hubs
    .filter((hub) => hub.child.exitCode === null && hub.child.signalCode === null)
    .map((hub) => new Promise((done) => hub.child.once('exit', done)));
  for (const hub of hubs) hub.child.kill('SIGTERM');
  // A hub drains (up to its 10 s deadline) before it exits; this only guards against one that hangs.
  setTimeout(() => {
    for (const hub of hubs) hub.child.kill('SIGKILL');
  }, 15_000).unref();
  await Promise.all(exits);
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
