// The vite settings every browser sample shares. `rxsync`, `rxsync/transports`, … resolve to the
// BUILT package through its own `exports` map (the `import` condition), exactly the files an app
// gets from npm — never the TypeScript sources.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** `rxsync` → `<root>/dist/index.js`, `rxsync/storage` → `<root>/dist/storage.js`, … */
export function packageAliases() {
  return Object.entries(pkg.exports)
    .filter(([, target]) => typeof target === 'object' && target.import)
    .map(([subpath, target]) => ({
      find: new RegExp(`^${(pkg.name + subpath.slice(1)).replace(/[/.]/g, '\\$&')}$`),
      replacement: join(root, target.import.default),
    }));
}

/**
 * A sample's vite config: served under `/<base>/` by samples/start.mjs, built into `<folder>/dist`.
 * @param {string} folder the sample's folder (its `index.html` lives there)
 * @param {string} base the URL path it is served under, e.g. `/todo/`
 * @param {import('vite').PluginOption[]} plugins
 * @param {{ offline?: boolean }} options `offline`: serve samples/shared/public (its service worker)
 * @returns {import('vite').UserConfig}
 */
export function sampleConfig(folder, base, plugins = [], { offline = false } = {}) {
  return {
    root: folder,
    base,
    plugins,
    ...(offline ? { publicDir: join(root, 'samples', 'shared', 'public') } : {}),
    resolve: { alias: packageAliases() },
    build: { outDir: join(folder, 'dist'), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1000 },
    // The hub is not part of the vite dev server: `npm start` serves built files with the hub.
    server: { port: 5173 },
  };
}
