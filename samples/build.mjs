// Builds the browser samples: vite builds for the Svelte and framework-free ones, `npm run build`
// for the Angular one (after `npm ci` when its install is missing, incomplete or out of date).
//   node samples/build.mjs             build every sample
//   node samples/build.mjs --if-stale  only those whose sources (or dist/) changed since their last build
//   node samples/build.mjs todo notes  only these (names as served: todo, notes, devtools, dashboard);
//                                      SAMPLES=todo,notes does the same (e.g. under jest's globalSetup)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { newestMtime } from '../scripts/freshness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

/** Every sample: the URL path it is served under, its folder, where its build lands, how it is built. */
export const samples = [
  { name: 'todo', dir: 'todo-svelte', out: 'dist', kind: 'vite', about: 'offline-first todo list (Svelte)' },
  { name: 'notes', dir: 'notes', out: 'dist', kind: 'vite', about: 'collaborative text editor with carets (Svelte, CodeMirror + Yjs)' },
  { name: 'devtools', dir: 'devtools', out: 'dist', kind: 'vite', about: 'devtools panel on a demo client' },
  { name: 'dashboard', dir: 'dashboard-angular', out: 'dist/browser', kind: 'angular', bin: 'ng', about: 'live dashboard (Angular)' },
].filter((sample) => existsSync(join(here, sample.dir, sample.kind === 'vite' ? 'index.html' : 'package.json')));

const skip = new Set(['dist', 'node_modules', '.angular', 'README.md']);
const newest = (path) => newestMtime(path, skip);

/** True when the sample's last build is older than its sources, the shared sources, or dist/. */
export function isStale(sample) {
  const built = join(here, sample.dir, sample.out, 'index.html');
  if (!existsSync(built)) return true;
  const inputs = Math.max(
    newest(join(here, sample.dir)),
    newest(join(here, 'devtools', 'src')),
    newest(join(here, 'shared')),
    newest(join(here, 'vite.shared.mjs')),
    newest(join(root, 'dist')),
  );
  return inputs > statSync(built).mtimeMs;
}

// npm settings a child install may inherit and keep: where and how to fetch. Everything else that
// npm passes down (`npm_config_omit`, `npm_config_production`, `npm_config_global`, …) describes the
// parent's install, not the sample's.
const keptNpmConfig =
  /^npm_config_(registry|cache|userconfig|globalconfig|(https?_|no_)?proxy|noproxy|strict_ssl|cafile|ca|cert|key|offline|prefer_offline|prefer_online|fetch_[a-z_]+|loglevel|@[^_]+:registry|_auth.*|\/\/.*)$/i;

/**
 * The environment for a sample's own `npm ci` / `npm run build`: ours without what would change
 * what it installs. `vite.build()` sets `NODE_ENV=production` in this process, and under it
 * `npm ci` silently skips devDependencies (the Angular CLI among them).
 */
export function sampleEnv(env = process.env) {
  const clean = { ...env };
  delete clean.NODE_ENV;
  for (const name of Object.keys(clean)) {
    if (/^npm_/i.test(name) && !keptNpmConfig.test(name)) delete clean[name];
  }
  return clean;
}

const stampFile = (folder) => join(folder, 'node_modules', '.rxsync-install-stamp');
const lockHash = (folder) =>
  createHash('sha256')
    .update(readFileSync(join(folder, 'package-lock.json')))
    .digest('hex');

/**
 * A sample's install is usable when the binary its build runs is there and the install was made
 * from today's package-lock.json (a stamp written after `npm ci` succeeded). node_modules merely
 * existing proves neither: an interrupted or devDependency-less install leaves one behind.
 */
export function isInstalled(sample) {
  const folder = join(here, sample.dir);
  const stamp = stampFile(folder);
  if (sample.bin && !existsSync(join(folder, 'node_modules', '.bin', sample.bin))) return false;
  return existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === lockHash(folder);
}

function install(sample) {
  const folder = join(here, sample.dir);
  console.log(`installing ${sample.name}'s dependencies (npm ci in ${sample.dir})`);
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: folder, stdio: 'inherit', env: sampleEnv() });
  if (sample.bin && !existsSync(join(folder, 'node_modules', '.bin', sample.bin))) {
    throw new Error(`npm ci in ${sample.dir} did not install \`${sample.bin}\``);
  }
  writeFileSync(stampFile(folder), lockHash(folder) + '\n');
}

/** Builds the given samples (all by default). */
export async function buildSamples(which = samples) {
  let vite;
  const nodeEnv = process.env.NODE_ENV;
  try {
    for (const sample of which) {
      const folder = join(here, sample.dir);
      if (sample.kind === 'vite') {
        vite ??= await import('vite');
        await vite.build({ configFile: join(folder, 'vite.config.mjs'), logLevel: 'warn' });
      } else {
        if (!isInstalled(sample)) install(sample);
        execFileSync('npm', ['run', 'build'], { cwd: folder, stdio: 'inherit', env: sampleEnv() });
      }
    }
  } finally {
    // vite.build() sets NODE_ENV for the whole process; give the caller back what it had.
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const onlyStale = process.argv.includes('--if-stale');
  const named = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  if (named.length === 0 && process.env.SAMPLES) named.push(...process.env.SAMPLES.split(','));
  const which = samples.filter((s) => (named.length === 0 || named.includes(s.name)) && (!onlyStale || isStale(s)));
  if (which.length > 0) {
    const started = Date.now();
    await buildSamples(which);
    console.log(`built samples: ${which.map((s) => s.name).join(', ')} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
}
