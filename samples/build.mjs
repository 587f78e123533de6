// Builds the browser samples: vite builds for the Svelte and framework-free ones, `npm run build`
// for the Angular one (after `npm ci` when its node_modules are missing).
//   node samples/build.mjs             build every sample
//   node samples/build.mjs --if-stale  only those whose sources (or dist/) changed since their last build
//   node samples/build.mjs todo notes  only these (names as served: todo, notes, devtools, dashboard);
//                                      SAMPLES=todo,notes does the same (e.g. under jest's globalSetup)
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

/** Every sample: the URL path it is served under, its folder, where its build lands, how it is built. */
export const samples = [
  { name: 'todo', dir: 'todo-svelte', out: 'dist', kind: 'vite', about: 'offline-first todo list (Svelte)' },
  { name: 'notes', dir: 'notes', out: 'dist', kind: 'vite', about: 'collaborative notes with presence (Svelte)' },
  { name: 'devtools', dir: 'devtools', out: 'dist', kind: 'vite', about: 'devtools panel on a demo client' },
  { name: 'dashboard', dir: 'dashboard-angular', out: 'dist/browser', kind: 'angular', about: 'live dashboard (Angular)' },
].filter((sample) => existsSync(join(here, sample.dir, sample.kind === 'vite' ? 'index.html' : 'package.json')));

const skip = new Set(['dist', 'node_modules', '.angular', 'README.md']);

function newest(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = 0;
  for (const name of readdirSync(path)) if (!skip.has(name)) latest = Math.max(latest, newest(join(path, name)));
  return latest;
}

/** True when the sample's last build is older than its sources, the shared sources, or dist/. */
export function isStale(sample) {
  const built = join(here, sample.dir, sample.out, 'index.html');
  if (!existsSync(built)) return true;
  const inputs = Math.max(
    newest(join(here, sample.dir)),
    newest(join(here, 'devtools', 'src')),
    newest(join(here, 'vite.shared.mjs')),
    newest(join(root, 'dist')),
  );
  return inputs > statSync(built).mtimeMs;
}

/** Builds the given samples (all by default). */
export async function buildSamples(which = samples) {
  let vite;
  for (const sample of which) {
    const folder = join(here, sample.dir);
    if (sample.kind === 'vite') {
      vite ??= await import('vite');
      await vite.build({ configFile: join(folder, 'vite.config.mjs'), logLevel: 'warn' });
    } else {
      if (!existsSync(join(folder, 'node_modules'))) {
        execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: folder, stdio: 'inherit' });
      }
      execFileSync('npm', ['run', 'build'], { cwd: folder, stdio: 'inherit' });
    }
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
