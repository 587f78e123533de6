// Where the bytes of one size entry go: bundles the entry from the TypeScript sources the way
// bench/size.mjs bundles it from dist (rollup, node-resolve, the same externals), then lists the
// modules that survive tree-shaking by minified bytes. Each module's rendered code is minified on its
// own (top-level names mangled, nothing dropped), so a row is close to, not exactly, what it adds to
// the real bundle; the gz column is what gzip of all of them saves without that module. The total line shows the whole bundle minified and gzipped for comparison.
//   node scripts/size-why.mjs live [--top 40]     (also: npm run size -- --why live)
import { rollup } from 'rollup';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';
import { minify } from 'terser';
import { gzipSync } from 'node:zlib';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const external = (id) =>
  /^(rxjs|immer|localforage|rxjs-websockets|ws|eventsource|better-sqlite3|pino|jose)(\/|$)/.test(id) || id.startsWith('node:');

const source = (file) => JSON.stringify(join(root, file));
/** Entry code per key: the same exports as the matching row of bench/size.mjs, from the sources. */
export const whyEntries = {
  live: `export { createClient, createOutbox, liveDocuments } from ${source('lib/index.ts')};\nexport { webSocket } from ${source('transports/index.ts')};`,
  client: `export { createClient } from ${source('lib/index.ts')};`,
  core: `export * from ${source('lib/index.ts')};`,
  operators: `export * from ${source('operators/index.ts')};`,
  transports: `export * from ${source('transports/index.ts')};`,
};

/** Per-module minified bytes of one entry, biggest first, with the whole bundle's min and gz. */
export async function sizeWhy(key) {
  const code = whyEntries[key];
  if (code === undefined) throw new Error(`unknown size entry "${key}"; known: ${Object.keys(whyEntries).join(', ')}`);
  mkdirSync(join(root, '.tmp'), { recursive: true });
  const work = mkdtempSync(join(root, '.tmp', 'why-'));
  try {
    const input = join(work, 'entry.ts');
    writeFileSync(input, code);
    const bundle = await rollup({
      input,
      external,
      plugins: [
        nodeResolve({ rootDir: root, extensions: ['.ts', '.js'] }),
        typescript({
          tsconfig: join(root, 'tsconfig.build.json'),
          include: [join(root, '**/*.ts'), join(work, '*.ts')],
          outputToFilesystem: false,
          noEmitOnError: false,
        }),
      ],
      onwarn: () => {},
    });
    const { output } = await bundle.generate({ format: 'es' });
    const chunk = output.find((o) => o.type === 'chunk');
    const rows = [];
    for (const [id, module] of Object.entries(chunk.modules)) {
      if (!module.code) continue;
      const min = await minify(module.code, {
        module: false,
        compress: { passes: 2, toplevel: false, unused: false },
        mangle: { toplevel: true },
      });
      rows.push({ file: relative(root, id), code: min.code ?? '', min: Buffer.byteLength(min.code ?? ''), gz: 0 });
    }
    // A module's gzip share: how much the gzipped concatenation shrinks without it (what it costs
    // on top of everything else, so repeated patterns count less than new code).
    const gzOf = (parts) => gzipSync(parts.join('\n'), { level: 9 }).length;
    const all = gzOf(rows.map((r) => r.code));
    for (const r of rows) r.gz = all - gzOf(rows.filter((o) => o !== r).map((o) => o.code));
    rows.sort((a, b) => b.min - a.min);
    const whole = await minify(chunk.code, { module: true, compress: { passes: 2 } });
    const text = whole.code ?? '';
    return { rows, min: Buffer.byteLength(text), gz: gzipSync(text, { level: 9 }).length };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Prints the table; the folder subtotals show which area to look at first. */
export async function printSizeWhy(key, top = 40) {
  const { rows, min, gz } = await sizeWhy(key);
  const sum = rows.reduce((n, r) => n + r.min, 0);
  const kb = (n) => (n / 1024).toFixed(2);
  const total = (list, field) => list.reduce((n, r) => n + r[field], 0);
  console.log(`| module (${key}) | min kB | share | gz kB (marginal) |`);
  console.log('|---|---:|---:|---:|');
  for (const r of rows.slice(0, top)) console.log(`| ${r.file} | ${kb(r.min)} | ${((100 * r.min) / sum).toFixed(1)} % | ${kb(r.gz)} |`);
  const rest = rows.slice(top);
  if (rest.length > 0) console.log(`| … ${rest.length} more modules | ${kb(total(rest, 'min'))} | | ${kb(total(rest, 'gz'))} |`);
  const folders = new Map();
  for (const r of rows) {
    const folder = r.file.split('/').slice(0, -1).join('/') || '.';
    folders.set(folder, [...(folders.get(folder) ?? []), r]);
  }
  console.log(`\n| folder | min kB | share | gz kB (marginal, summed) |\n|---|---:|---:|---:|`);
  for (const [folder, list] of [...folders].sort((a, b) => total(b[1], 'min') - total(a[1], 'min'))) {
    console.log(
      `| ${folder} | ${kb(total(list, 'min'))} | ${((100 * total(list, 'min')) / sum).toFixed(1)} % | ${kb(total(list, 'gz'))} |`,
    );
  }
  console.log(`\n${rows.length} modules, ${kb(sum)} kB minified one by one; the bundle minified whole: ${kb(min)} kB, ${kb(gz)} kB gz`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args[topAt + 1]) : 40;
  const key = args.find((a, i) => !a.startsWith('--') && i !== topAt + 1) ?? 'live';
  await printSizeWhy(key, top);
}
