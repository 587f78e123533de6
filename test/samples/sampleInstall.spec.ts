import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * `npm ci && npm start` on a fresh clone: samples/build.mjs builds the vite samples, then installs
 * and builds the Angular one with its own CLI. Here a vite page and an app whose build runs a
 * devDependency's `ng` binary (a local `file:` package, so no network) stand in for them, built by
 * the real buildSamples() in a child process started as a shell would start it.
 */
const root = join(__dirname, '..', '..');
const samplesDir = join(root, 'samples');

interface Sample {
  name: string;
  dir: string;
  out: string;
  kind: 'vite' | 'angular';
  bin?: string;
}

let work: string;
let page: Sample;
let app: Sample;
const appDir = () => join(work, 'app');

function write(path: string, text: string) {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

function npm(args: string[], cwd: string) {
  const result = spawnSync('npm', [...args, '--no-audit', '--no-fund'], { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
}

/** Runs buildSamples(which) the way `npm start` does; resolves to its exit code and output. */
function build(which: Sample[]) {
  const env = { ...process.env };
  delete env['NODE_ENV']; // jest sets it; a terminal running `npm start` does not
  const result = spawnSync(process.execPath, [join(work, 'run.mjs'), JSON.stringify(which)], { cwd: root, env, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

beforeAll(() => {
  mkdirSync(join(root, '.tmp'), { recursive: true });
  work = mkdtempSync(join(root, '.tmp', 'sample-install-'));
  write(
    join(work, 'run.mjs'),
    `import { buildSamples } from ${JSON.stringify(join(samplesDir, 'build.mjs'))};\nawait buildSamples(JSON.parse(process.argv[2]));\n`,
  );
  // A vite sample: vite.build() runs in buildSamples' own process, before the app's install.
  write(join(work, 'page', 'index.html'), '<!doctype html><title>page</title><script type="module">console.log(1)</script>\n');
  write(join(work, 'page', 'vite.config.mjs'), `export default { root: ${JSON.stringify(join(work, 'page'))}, logLevel: 'silent' };\n`);
  // An app built by a devDependency's binary, like the Angular CLI's `ng build`.
  write(join(appDir(), 'fake-cli', 'package.json'), JSON.stringify({ name: 'fake-cli', version: '1.0.0', bin: { ng: 'ng.js' } }));
  write(
    join(appDir(), 'fake-cli', 'ng.js'),
    "#!/usr/bin/env node\nconst fs = require('node:fs');\nfs.mkdirSync('dist/browser', { recursive: true });\nfs.writeFileSync('dist/browser/index.html', 'built');\n",
  );
  write(join(appDir(), 'fake-lib', 'package.json'), JSON.stringify({ name: 'fake-lib', version: '1.0.0' }));
  write(
    join(appDir(), 'package.json'),
    JSON.stringify({
      name: 'app',
      version: '0.0.0',
      private: true,
      scripts: { build: 'ng build' },
      dependencies: { 'fake-lib': 'file:./fake-lib' },
      devDependencies: { 'fake-cli': 'file:./fake-cli' },
    }),
  );
  npm(['install', '--package-lock-only'], appDir());
  page = { name: 'page', dir: relative(samplesDir, join(work, 'page')), out: 'dist', kind: 'vite' };
  app = { name: 'app', dir: relative(samplesDir, appDir()), out: 'dist/browser', kind: 'angular', bin: 'ng' };
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeEach(() => {
  rmSync(join(appDir(), 'node_modules'), { recursive: true, force: true });
  rmSync(join(appDir(), 'dist'), { recursive: true, force: true });
});

test('a fresh clone: the app installs its devDependencies after a vite build and builds', () => {
  const { status, output } = build([page, app]);
  expect(output).not.toMatch(/not found/);
  expect(status).toBe(0);
  expect(existsSync(join(work, 'page', 'dist', 'index.html'))).toBe(true);
  expect(readFileSync(join(appDir(), 'dist', 'browser', 'index.html'), 'utf8')).toBe('built');
}, 120_000);

test('an install left without devDependencies (what the failed start left) is redone, not trusted', () => {
  npm(['ci', '--omit=dev'], appDir());
  expect(existsSync(join(appDir(), 'node_modules', 'fake-lib'))).toBe(true);
  expect(existsSync(join(appDir(), 'node_modules', '.bin', 'ng'))).toBe(false);
  const { status, output } = build([app]);
  expect(output).not.toMatch(/not found/);
  expect(status).toBe(0);
  expect(existsSync(join(appDir(), 'dist', 'browser', 'index.html'))).toBe(true);
}, 120_000);

test('a good install is kept; a changed package-lock.json installs again', () => {
  expect(build([app]).status).toBe(0);
  const marker = join(appDir(), 'node_modules', 'marker');
  writeFileSync(marker, '');
  expect(build([app]).status).toBe(0);
  expect(existsSync(marker)).toBe(true); // no second `npm ci`

  const lock = join(appDir(), 'package-lock.json');
  writeFileSync(lock, JSON.stringify(JSON.parse(readFileSync(lock, 'utf8')), null, 4) + '\n');
  expect(build([app]).status).toBe(0);
  expect(existsSync(marker)).toBe(false); // `npm ci` replaced node_modules
  expect(existsSync(join(appDir(), 'dist', 'browser', 'index.html'))).toBe(true);
}, 120_000);
