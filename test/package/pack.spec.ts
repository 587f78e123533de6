import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compileConsumer, writeConsumerProjects } from './consumerProject.js';
import { ENTRY_SOURCES } from './publicApi.js';

/**
 * Packs the package as npm would publish it, installs the tarball into an empty folder next to
 * rxjs, imports every entry point from an ESM and a CJS script, and compiles TypeScript apps
 * against its declarations, as a user would.
 */
describe('the published package', () => {
  const root = resolve(__dirname, '../..');
  let work: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'rxsync-pack-'));
    // dist/ is built once by the jest global setup; skip prepack so no test rebuilds it mid-run.
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--silent'], { cwd: root, stdio: 'pipe' });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
    writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }));
    // @angular/core: the optional peer `rxsync/angular` is compiled against (README's Angular section too).
    execFileSync(
      'npm',
      ['install', `./${tarball}`, 'rxjs@7', '@angular/core@~21.2.0', '--no-audit', '--no-fund', '--prefer-offline', '--silent'],
      {
        cwd: work,
        stdio: 'pipe',
      },
    );
    writeConsumerProjects(root, work);
  }, 180_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const check = `
    const s = core.signal(1); const seen = []; s.subscribe((v) => seen.push(v)); s.set(2);
    if (seen.join() !== '1,2') throw new Error('signal broken: ' + seen);
    const client = core.createClient();
    client.setData(['k'], { n: 1 });
    if (client.getData(['k']).n !== 1) throw new Error('client broken');
    if (typeof operators.retryBackoff !== 'function' || typeof operators.cacheQuery !== 'function') throw new Error('operators missing');
    if (typeof transports.webSocket !== 'function' || typeof transports.rpc !== 'function') throw new Error('transports missing');
    if (typeof storage.localforageStorage !== 'function') throw new Error('storage entry missing');
    if (typeof protocol.parseFrame !== 'function' || typeof protocol.helloFrame !== 'function') throw new Error('protocol entry missing');
    if ('parseFrame' in core || 'helloFrame' in core) throw new Error('protocol internals leak into the core');
    if (typeof node.fileStorage !== 'function') throw new Error('node entry missing');
    if (typeof server.createHub !== 'function') throw new Error('server entry missing');
    if (typeof testing.createTestClient !== 'function' || typeof testing.createTestHub !== 'function') throw new Error('testing entry missing');
    if (typeof yjs.yjsDocuments !== 'object' || typeof core.liveDocuments.with !== 'function') throw new Error('yjs entry missing');
    console.log('ok ' + Object.keys(core).length + ' core exports');
  `;

  it('imports from an ESM script', () => {
    writeFileSync(
      join(work, 'esm.mjs'),
      `import * as core from 'rxsync'; import * as operators from 'rxsync/operators'; import * as transports from 'rxsync/transports';\n` +
        `import * as storage from 'rxsync/storage'; import * as protocol from 'rxsync/protocol'; import * as node from 'rxsync/node';\n` +
        `import * as server from 'rxsync/server'; import * as testing from 'rxsync/testing'; import * as yjs from 'rxsync/yjs';\n${check}`,
    );
    expect(execFileSync('node', ['esm.mjs'], { cwd: work, encoding: 'utf8' })).toMatch(/^ok \d+ core exports/);
  });

  it('requires from a CJS script', () => {
    writeFileSync(
      join(work, 'cjs.cjs'),
      `const core = require('rxsync'); const operators = require('rxsync/operators'); const transports = require('rxsync/transports');\n` +
        `const storage = require('rxsync/storage'); const protocol = require('rxsync/protocol'); const node = require('rxsync/node');\n` +
        `const server = require('rxsync/server'); const testing = require('rxsync/testing'); const yjs = require('rxsync/yjs');\n${check}`,
    );
    expect(execFileSync('node', ['cjs.cjs'], { cwd: work, encoding: 'utf8' })).toMatch(/^ok \d+ core exports/);
  });

  it('ships ESM, CJS and type declarations for each entry point, and nothing else', () => {
    const files = readdirSync(join(work, 'node_modules', 'rxsync', 'dist')).sort();
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    const entries = Object.keys(pkg.exports)
      .filter((e) => e !== './package.json')
      .map((e) => (e === '.' ? 'index' : e.slice(2)));
    expect(entries.length).toBeGreaterThanOrEqual(3);
    // The export-list and type checks below read ENTRY_SOURCES: every published entry must be on it.
    expect(Object.keys(ENTRY_SOURCES).sort()).toEqual(entries.map((e) => (e === 'index' ? 'rxsync' : `rxsync/${e}`)).sort());
    for (const entry of entries) {
      for (const ext of ['.js', '.cjs', '.d.ts', '.d.cts']) expect(files).toContain(entry + ext);
    }
    expect(readdirSync(join(work, 'node_modules', 'rxsync')).sort()).toEqual(['README.md', 'dist', 'package.json']);
  });

  // strict, skipLibCheck false (TypeScript's default): the declarations themselves are checked too.
  it('type-checks every export of every entry point from a node16 ESM project', () => {
    expect(compileConsumer(root, work, 'esm')).toBe('');
  }, 120_000);

  it('type-checks every export of every entry point from a node16 CommonJS project', () => {
    expect(compileConsumer(root, work, 'cjs')).toBe('');
  }, 120_000);

  it("type-checks every export and every README's TypeScript blocks from a bundler-resolution project", () => {
    expect(compileConsumer(root, work, 'bundler')).toBe('');
  }, 120_000);

  it("type-checks every export of the browser entries from a browser project without Node's types", () => {
    expect(compileConsumer(root, work, 'browser')).toBe('');
  }, 120_000);
});
