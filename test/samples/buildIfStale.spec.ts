import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `npm start`, `npm run quickstart` and `npm run hub` build the package first, but only when
 * dist/ is missing or older than its sources (scripts/build-if-stale.mjs); `npm run build` always
 * rebuilds. jest's global setup built dist/ just before this suite, so here it is up to date.
 */
const root = join(__dirname, '..', '..');

function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      const info = statSync(path);
      if (info.isDirectory()) walk(path);
      else files[path.slice(root.length)] = `${info.ino}:${info.mtimeMs}`;
    }
  };
  walk(dir);
  return files;
}

test('`npm run hub` on an up-to-date dist/ serves it without deleting or rebuilding it', async () => {
  const before = snapshot(join(root, 'dist'));
  const data = mkdtempSync(join(tmpdir(), 'rxsync-hub-'));
  const child = spawn('npm', ['run', 'hub', '--', '--port', '0', '--data', data], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('rxsync-hub listening on')) resolve();
      });
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => reject(new Error(`npm run hub exited with ${code}:\n${output}`)));
    });
  } finally {
    process.kill(-child.pid!, 'SIGKILL');
    rmSync(data, { recursive: true, force: true });
  }
  expect(output).toContain('dist/ is up to date');
  expect(snapshot(join(root, 'dist'))).toEqual(before);
}, 180_000);

describe('staleness of dist/', () => {
  let work: string;
  const staleness = () => {
    const script = `import { distStaleness } from ${JSON.stringify(join(root, 'scripts', 'freshness.mjs'))};\nconsole.log(distStaleness(${JSON.stringify(work)}) ?? 'fresh');`;
    return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).stdout.trim();
  };
  const age = (path: string, secondsAgo: number) => {
    const when = new Date(Date.now() - secondsAgo * 1000);
    utimesSync(join(work, path), when, when);
  };

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'rxsync-stale-'));
    const pkg = { name: 'p', exports: { '.': { import: './dist/index.js', require: './dist/index.cjs' } }, bin: { p: './dist/cli.js' } };
    writeFileSync(join(work, 'package.json'), JSON.stringify(pkg));
    mkdirSync(join(work, 'lib', 'deep'), { recursive: true });
    writeFileSync(join(work, 'lib', 'deep', 'a.ts'), '');
    mkdirSync(join(work, 'dist'));
    age('package.json', 100);
    age('lib/deep/a.ts', 100);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('missing, incomplete, older than a source or than the build config: stale; otherwise fresh', () => {
    expect(staleness()).toBe('./dist/index.js is missing');
    for (const file of ['index.js', 'index.cjs']) writeFileSync(join(work, 'dist', file), '');
    expect(staleness()).toBe('./dist/cli.js is missing');
    writeFileSync(join(work, 'dist', 'cli.js'), '');
    expect(staleness()).toBe('fresh');
    age('dist/index.cjs', 50); // one output older than a source: an interrupted or partial build
    age('lib/deep/a.ts', 10);
    expect(staleness()).toBe('lib changed since the last build');
    age('lib/deep/a.ts', 100);
    expect(staleness()).toBe('fresh');
    writeFileSync(join(work, 'rollup.config.mjs'), '');
    expect(staleness()).toBe('rollup.config.mjs changed since the last build');
  });
});
