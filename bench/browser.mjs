// `npm run bench:browser`: the query fan-out and the outbox in headless Chromium, on the browser's
// own IndexedDB. Serves dist/ and the ESM builds of its dependencies as plain modules (an import
// map, no bundler) from a local server on a random port. Not run by CI (`npm run bench` skips it).
// CHROMIUM_PATH names the browser binary (default /usr/bin/chromium, as in the browser tests).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const importMap = {
  imports: {
    rxjs: '/node_modules/rxjs/dist/esm/index.js',
    tslib: '/node_modules/tslib/tslib.es6.mjs',
    immer: '/node_modules/immer/dist/immer.mjs',
    localforage: '/localforage-esm.js',
  },
};
// immer's ESM build reads process.env.NODE_ENV, as bundlers replace it.
const page = `<!doctype html><meta charset="utf-8"><script>window.process = { env: { NODE_ENV: 'production' } };</script><script type="importmap">${JSON.stringify(importMap)}</script>
<script type="module" src="/bench/browser/page.mjs"></script>`;
// localforage ships UMD only: loaded as a script, it sets `window.localforage`.
const localforageShim = `import '/node_modules/localforage/dist/localforage.js'; export default window.localforage;`;
const ALLOWED = ['dist/', 'node_modules/', 'bench/browser/'];

const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^\/+/, '');
  const send = (type, body) => res.writeHead(200, { 'content-type': type }).end(body);
  if (path === '' || path === 'index.html') return send('text/html', page);
  if (path === 'localforage-esm.js') return send('text/javascript', localforageShim);
  if (path === 'favicon.ico') return res.writeHead(204).end();
  try {
    if (!ALLOWED.some((prefix) => path.startsWith(prefix))) throw new Error('not served');
    // RxJS's ESM build imports files without their `.js` extension.
    send('text/javascript', await readFile(join(root, path)).catch(() => readFile(join(root, `${path}.js`))));
  } catch {
    console.error(`not found: /${path}`);
    res.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const tab = await browser.newPage();
  const errors = [];
  tab.on('pageerror', (error) => errors.push(error));
  tab.on('console', (message) => {
    if (message.type() === 'error') errors.push(new Error(message.text()));
  });
  await tab.goto(url);
  await tab
    .waitForFunction(() => globalThis.benchResults !== undefined || false, undefined, { timeout: 120_000, polling: 200 })
    .catch((error) => {
      throw errors[0] ?? error;
    });
  const rows = await tab.evaluate(() => globalThis.benchResults);
  console.log(`In headless Chromium ${browser.version()}: ms, median of 7 rounds after one warm-up\n`);
  console.log('| what | rxsync ms | anchor | anchor ms | ratio |');
  console.log('|---|---:|---|---:|---:|');
  for (const r of rows)
    console.log(`| ${r.what} | ${r.ms.toFixed(2)} | ${r.anchorName} | ${r.anchor.toFixed(2)} | ${(r.ms / r.anchor).toFixed(2)}× |`);
} finally {
  await browser.close();
  server.close();
}
