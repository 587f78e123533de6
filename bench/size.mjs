// Minified + gzipped size of each entry point, bundled the way an app bundler would see it
// (rollup + node-resolve + terser, peer/runtime libraries external), next to TanStack Query's
// core (QueryClient + QueryObserver) built the same way. Also shows what tree-shaking leaves
// when an app imports only part of the core.
// Fails when a bundle grows past its budget in bench/size-budget.json (bytes, min and min+gzip).
// `node bench/size.mjs --record` rewrites the budgets to today's figures plus 4 % (for a growth
// that is meant: the diff of that file shows it).
// `node bench/size.mjs --why live` (or `npm run size -- --why live`) lists instead the modules of one
// bundle by minified bytes, from the sources (scripts/size-why.mjs): where to look before cutting.
import { rollup } from 'rollup';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { gzipSync } from 'node:zlib';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const whyAt = process.argv.indexOf('--why');
if (whyAt >= 0) {
  const { printSizeWhy } = await import('../scripts/size-why.mjs');
  const topAt = process.argv.indexOf('--top');
  await printSizeWhy(process.argv[whyAt + 1] ?? 'live', topAt >= 0 ? Number(process.argv[topAt + 1]) : 40);
  process.exit(0);
}
// Inside the project so bare imports resolve from its node_modules.
mkdirSync(join(root, '.tmp'), { recursive: true });
const work = mkdtempSync(join(root, '.tmp', 'size-'));
const external = (id) =>
  /^(rxjs|immer|localforage|rxjs-websockets|ws|eventsource|better-sqlite3|pg|redis|pino|jose|yjs|svelte)(\/|$)/.test(id) ||
  id.startsWith('node:');

async function measure(name, code, { externalize = external } = {}) {
  const file = join(work, `${name.replace(/[^a-z0-9]+/gi, '_')}.mjs`);
  writeFileSync(file, code);
  const bundle = await rollup({ input: file, external: externalize, plugins: [nodeResolve({ rootDir: root })], onwarn: () => {} });
  const { output } = await bundle.generate({ format: 'es', plugins: [terser({ module: true, compress: { passes: 2 } })] });
  const text = output.map((o) => ('code' in o ? o.code : '')).join('');
  // Which optional peers the bundle reaches (static or dynamic imports): yjs only from rxsync/yjs and the hub.
  const imports = output.flatMap((o) => ('imports' in o ? [...o.imports, ...o.dynamicImports] : []));
  return { name, min: Buffer.byteLength(text), gz: gzipSync(text, { level: 9 }).length, imports };
}

const dist = (f) => join(root, 'dist', f);
const rows = [
  await measure('rxsync (core, everything)', `export * from ${JSON.stringify(dist('index.js'))};`),
  await measure('rxsync/operators', `export * from ${JSON.stringify(dist('operators.js'))};`),
  await measure('rxsync/transports', `export * from ${JSON.stringify(dist('transports.js'))};`),
  await measure('rxsync/storage', `export * from ${JSON.stringify(dist('storage.js'))};`),
  await measure('rxsync/protocol', `export * from ${JSON.stringify(dist('protocol.js'))};`),
  await measure('rxsync/node (Node only)', `export * from ${JSON.stringify(dist('node.js'))};`),
  await measure('rxsync/server (Node only)', `export * from ${JSON.stringify(dist('server.js'))};`),
  // Runs in browsers too: a Node builtin or a server-only library reaching it fails this build.
  await measure('rxsync/testing (test kit)', `export * from ${JSON.stringify(dist('testing.js'))};`, {
    externalize: (id) => {
      if (/^(node:|(ws|pino|jose|pg|redis|better-sqlite3)$)/.test(id)) throw new Error(`rxsync/testing must not import ${id}`);
      return external(id);
    },
  }),
  await measure('rxsync/yjs (yjs external)', `export * from ${JSON.stringify(dist('yjs.js'))};`),
  // The Angular adapter alone (what an Angular app adds to the core it already imports).
  await measure('rxsync/angular (adapter, @angular/core external)', `export * from ${JSON.stringify(dist('angular.js'))};`, {
    externalize: (id) => external(id) || /^@angular\//.test(id),
  }),
  await measure('rxsync/svelte (adapter + the core parts it uses)', `export * from ${JSON.stringify(dist('svelte.js'))};`),
  // Its own code only: the core modules it imports (relative chunks of dist/) are the app's anyway.
  await measure('rxsync/react (beyond the core it uses)', `export * from ${JSON.stringify(dist('react.js'))};`, {
    externalize: (id) => external(id) || /^react(-dom)?(\/|$)/.test(id) || /^\.{1,2}\//.test(id),
  }),
  await measure('rxsync: signal + computed only', `export { signal, computed, batch } from ${JSON.stringify(dist('index.js'))};`),
  await measure('rxsync: createClient only', `export { createClient } from ${JSON.stringify(dist('index.js'))};`),
  await measure(
    'rxsync: signals + createClient + query operators',
    `export { signal, computed, batch, createClient } from ${JSON.stringify(dist('index.js'))};\nexport { retryBackoff, cacheQuery, dedupe } from ${JSON.stringify(dist('operators.js'))};`,
  ),
  await measure(
    'rxsync: live sync (createClient + liveDocuments + createOutbox + webSocket)',
    `export { createClient, createOutbox, liveDocuments } from ${JSON.stringify(dist('index.js'))};\nexport { webSocket } from ${JSON.stringify(dist('transports.js'))};`,
  ),
  await measure(
    '@tanstack/query-core (QueryClient + QueryObserver)',
    `export { QueryClient, QueryObserver } from '@tanstack/query-core';`,
    {
      externalize: () => false,
    },
  ),
];
// What an app that already has the core pays for the Svelte adapter (printed below the table).
const withSvelte = await measure(
  'rxsync + rxsync/svelte',
  `export * from ${JSON.stringify(dist('index.js'))};\nexport * from ${JSON.stringify(dist('svelte.js'))};`,
);
rmSync(work, { recursive: true, force: true });

// Yjs is an optional peer: only rxsync/yjs (and the hub, lazily) may reach it.
const carriesYjs = rows.filter((r) => !/rxsync\/(yjs|server)/.test(r.name) && r.imports?.some((id) => /^yjs(\/|$)/.test(id)));
if (carriesYjs.length > 0) {
  console.error(`yjs reached bundles that must not carry it: ${carriesYjs.map((r) => r.name).join(', ')}`);
  process.exitCode = 1;
}

const kb = (n) => (n / 1024).toFixed(2);
const anchor = rows.at(-1);
console.log('| bundle (rxjs, immer external) | min kB | min+gzip kB | vs TanStack core (gz) |');
console.log('|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.name} | ${kb(r.min)} | ${kb(r.gz)} | ${(r.gz / anchor.gz).toFixed(2)}× |`);
const core = rows.find((r) => r.name === 'rxsync (core, everything)');
console.log(`\nrxsync/svelte beyond the core: ${kb(withSvelte.min - core.min)} kB min, ${kb(withSvelte.gz - core.gz)} kB min+gzip`);

// Budgets: every rxsync bundle above has one; the anchor (last row) is not ours to budget.
const budgetFile = join(root, 'bench', 'size-budget.json');
const ours = rows.slice(0, -1);
if (process.argv.includes('--record')) {
  const above = (n) => Math.ceil((n * 1.04) / 10) * 10;
  const budgets = Object.fromEntries(ours.map((r) => [r.name, { min: above(r.min), gz: above(r.gz) }]));
  writeFileSync(budgetFile, JSON.stringify({ unit: 'bytes', budgets }, null, 2) + '\n');
  console.log(`recorded budgets for ${ours.length} bundles in bench/size-budget.json (today's figures + 4 %)`);
} else {
  const { budgets } = JSON.parse(readFileSync(budgetFile, 'utf8'));
  const over = [];
  for (const r of ours) {
    const budget = budgets[r.name];
    if (!budget) over.push(`${r.name}: no budget recorded`);
    else if (r.min > budget.min || r.gz > budget.gz) {
      over.push(`${r.name}: ${r.min} B min / ${r.gz} B gz, budget ${budget.min} / ${budget.gz}`);
    }
  }
  // The Svelte adapter's own target: at most 2 kB min+gzip on top of the core.
  if (withSvelte.gz - core.gz > 2048) over.push(`rxsync/svelte: ${withSvelte.gz - core.gz} B gz beyond the core, target 2048`);
  if (over.length > 0) {
    console.error(`size budget exceeded (bench/size-budget.json):\n  ${over.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`size budget: all ${ours.length} bundles within bench/size-budget.json`);
}
