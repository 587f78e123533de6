// Svelte is an optional peer: only the rxsync/svelte entry may import it (built dist/, made by the
// jest global setup), and that entry shares the core's chunks rather than carrying copies.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const dist = join(__dirname, '../../dist');
const builds = (dir: string): string[] =>
  readdirSync(join(dist, dir))
    .filter((f) => /\.(c?js)$/.test(f))
    .map((f) => join(dir, f));
const svelteImports = (file: string): string[] =>
  [...readFileSync(join(dist, file), 'utf8').matchAll(/(?:from |require\()\s*['"](svelte(?:\/[^'"]*)?)['"]/g)].map((m) => m[1]!);

it('imports svelte from the rxsync/svelte entry only', () => {
  const files = [...builds('.'), ...builds('chunks')];
  expect(files).toEqual(expect.arrayContaining(['svelte.js', 'svelte.cjs']));
  for (const file of files) {
    const found = svelteImports(file);
    if (/^svelte\.c?js$/.test(file)) expect(found.sort()).toEqual(['svelte', 'svelte/reactivity']);
    else expect({ file, found }).toEqual({ file, found: [] });
  }
});

it('takes RxSyncError from the chunk the core uses, so instanceof holds across entries', () => {
  const esm = readFileSync(join(dist, 'svelte.js'), 'utf8');
  expect(esm).not.toMatch(/class \w+ extends Error/);
  expect(esm).toMatch(/import \{[^}]*\bRxSyncError\b[^}]*\} from '\.\/chunks\/[\w-]+\.js'/);
});
