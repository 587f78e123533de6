// When is a build out of date? One answer for `npm start` / `quickstart` / `hub` (through
// scripts/build-if-stale.mjs), jest's global setup and the samples' build.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(fileURLToPath(import.meta.url), '../..');

/** What dist/ is built from: the published sources and the build's own configuration. */
const packageInputs = [
  'lib',
  'operators',
  'transports',
  'server',
  'node',
  'svelte',
  'react',
  'rollup.config.mjs',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
];

/**
 * The newest modification time (ms) of a file or of any file under a folder, 0 when missing.
 * @param {string} path
 * @param {ReadonlySet<string>} [skip] names (files or folders) to leave out at any depth
 * @returns {number}
 */
export function newestMtime(path, skip = new Set()) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) if (!skip.has(name)) newest = Math.max(newest, newestMtime(join(path, name), skip));
  return newest;
}

/** Every file package.json promises in dist/ (`exports`, `main`, `module`, `types`, `bin`). */
function promisedFiles(pkg) {
  const found = new Set();
  const collect = (value) => {
    if (typeof value === 'string') {
      if (value.startsWith('./dist/')) found.add(value);
    } else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect([pkg.exports, pkg.main, pkg.module, pkg.types, pkg.bin]);
  return [...found];
}

/**
 * Why dist/ must be (re)built, or undefined when it is complete and newer than every input.
 * @param {string} [at] the package's folder
 * @returns {string | undefined}
 */
export function distStaleness(at = root) {
  const pkg = JSON.parse(readFileSync(join(at, 'package.json'), 'utf8'));
  let oldest = Infinity;
  for (const file of promisedFiles(pkg)) {
    const path = join(at, file);
    if (!existsSync(path)) return `${file} is missing`;
    oldest = Math.min(oldest, statSync(path).mtimeMs);
  }
  for (const input of packageInputs) {
    if (newestMtime(join(at, input)) > oldest) return `${input} changed since the last build`;
  }
  return undefined;
}
