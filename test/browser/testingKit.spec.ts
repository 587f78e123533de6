import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { rollup } from 'rollup';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { firstPage, openBrowser, type BrowserPool } from './support';

jest.setTimeout(90_000);

const root = join(__dirname, '..', '..');

/**
 * `rxsync/testing` in a browser: the built entry (dist/testing.js) bundled for the browser with
 * nothing but rxjs and immer, then run in headless Chromium, where two test clients sync through
 * the in-memory hub (the real room logic) on a virtual clock. A Node builtin or a server-only
 * library reaching the kit fails the bundle.
 */
describe('rxsync/testing in headless Chromium', () => {
  let server: Server;
  let origin: string;
  let browser: BrowserPool;

  beforeAll(async () => {
    const bundle = await rollup({
      input: join(__dirname, 'fixtures', 'testingKitPage.mjs'),
      plugins: [nodeResolve({ browser: true, preferBuiltins: false, rootDir: root })],
      external: (id) => {
        if (/^(node:|(ws|pino|jose|pg|redis|better-sqlite3)$)/.test(id)) throw new Error(`rxsync/testing imports ${id}`);
        return false;
      },
      onwarn: (warning) => {
        throw new Error(`bundling the page: ${warning.message}`);
      },
    });
    // As app bundlers (vite, webpack) do: libraries such as immer read process.env.NODE_ENV.
    const { output } = await bundle.generate({ format: 'es', intro: "const process = { env: { NODE_ENV: 'production' } };" });
    await bundle.close();
    const script = output.map((chunk) => ('code' in chunk ? chunk.code : '')).join('\n');
    server = createServer((request, response) => {
      if (request.url === '/page.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      else response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/page.js"></script>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('two test clients sync through the in-memory hub, offline edits arrive on goOnline, retries run in virtual time', async () => {
    const page = await firstPage(await browser.newContext());
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => errors.push(`console: ${message.text()}`));
    await page.goto(origin);
    // The page's module ran before `load`; its result is a promise that evaluate() awaits.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void page.content().then((html) => reject(new Error(`no result within 10 s; page: ${html}; errors: ${errors.join(' | ')}`)));
      }, 10_000);
    });
    const result = await Promise.race([
      page.evaluate(() => (window as unknown as { kitResult: Promise<Record<string, unknown>> }).kitResult),
      timedOut,
    ]).finally(() => clearTimeout(timer));
    expect(errors).toEqual([]);
    expect(result['error']).toBeUndefined();
    expect(result).toMatchObject({
      synced: { title: 'from the page' },
      whileOffline: { bob: { title: 'from the page' }, pending: 1, connections: 1 },
      alice: { title: 'from the page', written: 'offline' },
      bob: { title: 'from the page', written: 'offline' },
      head: 2,
      fetchAt: [expect.any(Number), expect.any(Number), expect.any(Number)],
      hasBuffer: false,
      hasProcess: false,
    });
    const [first, second, third] = result['fetchAt'] as number[];
    expect([second! - first!, third! - first!]).toEqual([10_000, 30_000]);
  });
});
