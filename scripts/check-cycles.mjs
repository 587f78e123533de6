// Fails when the runtime imports of the published sources form a cycle (type-only imports are
// erased and do not count). Cycles make module evaluation order fragile in ESM and CJS builds.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const roots = ['lib', 'operators', 'transports', 'server', 'node', 'testing', 'yjs', 'angular', 'svelte', 'react'];
const files = [];
const walk = (dir) => {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(resolve(path));
  }
};
roots.forEach(walk);

// `import x from './a.js'` and `export … from './a.js'`, but not `import type` / `export type`.
const importPattern = /^\s*(?:import|export)\s+(?!type\b)(?:[^'"]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;
const graph = new Map();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const deps = [];
  for (const match of text.matchAll(importPattern)) {
    // Skip `import { type A, type B } from` lines: every name is a type.
    const names = match[0].match(/\{([^}]*)\}/)?.[1];
    if (names !== undefined && names.split(',').every((n) => n.trim() === '' || n.trim().startsWith('type '))) continue;
    deps.push(resolve(dirname(file), match[1].replace(/\.js$/, '.ts')));
  }
  graph.set(file, deps);
}

const state = new Map(); // 1 = on the stack, 2 = done
const cycles = [];
const visit = (file, stack) => {
  state.set(file, 1);
  stack.push(file);
  for (const dep of graph.get(file) ?? []) {
    if (state.get(dep) === 1) cycles.push([...stack.slice(stack.indexOf(dep)), dep]);
    else if (!state.has(dep)) visit(dep, stack);
  }
  stack.pop();
  state.set(file, 2);
};
for (const file of graph.keys()) if (!state.has(file)) visit(file, []);

if (cycles.length > 0) {
  for (const cycle of cycles) console.error('import cycle: ' + cycle.map((f) => relative(process.cwd(), f)).join(' → '));
  process.exit(1);
}
console.log(`no import cycles in ${graph.size} source files`);
