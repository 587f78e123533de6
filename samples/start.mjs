// Builds the browser samples and serves them, with the sync hub, from one origin:
//   /todo/  /notes/  /devtools/  /dashboard/   the samples (built files)
//   /ws  /sse  /send  /poll  /metrics          the hub (its op log in <data>/hub.db)
//   /healthz  /readyz                          the hub's health checks
//   /api/<collection>                          a small JSON API for plain queries (samples/api.mjs)
//   /                                          an index page linking the samples
// Usage: node samples/start.mjs [--port 5180] [--host 127.0.0.1] [--data .rxsync-samples] [--no-build]
// Builds the samples whose sources or dist/ changed since their last build (all of them on a fresh
// clone); --no-build serves what is there. The package itself must be built first (`npm start`
// builds it when stale): the samples import `dist/` through the package name, as an app would.
import { existsSync, mkdirSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createSampleApi } from './api.mjs';
import { buildSamples, isStale, samples } from './build.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '5180' },
    host: { type: 'string', default: '127.0.0.1' },
    data: { type: 'string', default: '.rxsync-samples' },
    'no-build': { type: 'boolean', default: false },
  },
});

if (!existsSync(join(root, 'dist', 'index.js'))) {
  console.error('dist/ is missing: run `npm run build` first (or `npm start`, which does).');
  process.exit(1);
}
if (!args['no-build']) {
  const stale = samples.filter(isStale);
  if (stale.length < samples.length) {
    console.log(
      `samples up to date: ${samples
        .filter((s) => !stale.includes(s))
        .map((s) => s.name)
        .join(', ')}`,
    );
  }
  if (stale.length > 0) await buildSamples(stale);
}

const { createHub, openSqliteLog } = await import('rxsync/server');
const dataDir = resolve(root, args.data);
mkdirSync(dataDir, { recursive: true });
const hub = createHub({ log: await openSqliteLog({ path: join(dataDir, 'hub.db') }) });

const hubPaths = new Set(['/ws', '/sse', '/send', '/poll', '/metrics', '/healthz', '/readyz']);
const api = createSampleApi();
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

function indexPage() {
  const items = samples.map((s) => `<li><a href="/${s.name}/">/${s.name}/</a> — ${s.about}</li>`).join('\n      ');
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>rxsync samples</title>
  <style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}</style></head>
  <body>
    <h1>rxsync samples</h1>
    <p>Every sample syncs through the hub served from this origin (<code>/ws</code>, <code>/sse</code>, <code>/poll</code>, <a href="/metrics">/metrics</a>).
    Open one in two windows to see them sync.</p>
    <ul>
      ${items}
    </ul>
  </body>
</html>
`;
}

/** Serves a built file of a sample; unknown paths without an extension get its index.html. */
async function serveStatic(sample, rest, response) {
  const base = join(here, sample.dir, sample.out);
  const wanted = normalize(join(base, decodeURIComponent(rest) || 'index.html'));
  if (wanted !== base && !wanted.startsWith(base + sep)) return notFound(response);
  let file = wanted;
  const info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) file = join(file, 'index.html');
  else if (!info && extname(file) === '') file = join(base, 'index.html');
  const body = await readFile(file).catch(() => undefined);
  if (body === undefined) return notFound(response);
  const type = types[extname(file)] ?? 'application/octet-stream';
  // Hashed assets may be cached for good; pages must be re-read so a rebuild shows.
  const cache = file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
  response.writeHead(200, { 'content-type': type, 'cache-control': cache }).end(body);
}

function notFound(response) {
  response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
}

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (hubPaths.has(url.pathname)) return void hub.server.emit('request', request, response);
  if (url.pathname.startsWith('/api/')) {
    return void api(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  }
  if (url.pathname === '/') {
    return void response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(indexPage());
  }
  const [, first = '', ...rest] = url.pathname.split('/');
  const sample = samples.find((s) => s.name === first);
  if (!sample) return notFound(response);
  if (url.pathname === `/${first}`) {
    return void response.writeHead(301, { location: `/${first}/` }).end();
  }
  serveStatic(sample, rest.join('/'), response).catch(() => {
    if (!response.headersSent) response.writeHead(500).end();
  });
});
server.on('upgrade', (request, socket, head) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/ws') hub.server.emit('upgrade', request, socket, head);
  else socket.destroy();
});

await new Promise((done, fail) => {
  server.once('error', fail);
  server.listen(Number(args.port), args.host, () => done(undefined));
});
const address = server.address();
const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
const origin = `http://${host}:${address.port}`;
console.log(`index     ${origin}/`);
for (const sample of samples) console.log(`${sample.name.padEnd(9)} ${origin}/${sample.name}/`);
console.log('ready');

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  server.closeAllConnections();
  server.close();
  await hub.close();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
