import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { consumerSource, publicApi } from './publicApi.js';
import { README_PRELUDE, tsBlocks } from './readmeBlocks.js';

/**
 * The ways a TypeScript app resolves the package: Node's ESM and CJS, a bundler's, and a browser
 * app's (bundler resolution without Node's types, using only the entries made for browsers).
 */
export const CONSUMER_CONFIGS = {
  esm: { type: 'module', module: 'node16', moduleResolution: 'node16', browser: false },
  cjs: { type: 'commonjs', module: 'node16', moduleResolution: 'node16', browser: false },
  bundler: { type: 'module', module: 'esnext', moduleResolution: 'bundler', browser: false },
  browser: { type: 'module', module: 'esnext', moduleResolution: 'bundler', browser: true },
} as const;

/** Entries for Node only: a browser app does not import them (nor has Node's types). */
const NODE_ONLY = new Set(['rxsync/node', 'rxsync/server']);
export type ConsumerConfig = keyof typeof CONSUMER_CONFIGS;

/** The markdown files whose ```ts blocks must compile for a user: the README and the samples'. */
function markdownFiles(root: string): string[] {
  const samples = readdirSync(join(root, 'samples'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, 'samples', d.name, 'README.md')))
    .map((d) => join('samples', d.name, 'README.md'));
  return ['README.md', ...samples];
}

/**
 * Writes one TypeScript project per configuration into `work` (whose node_modules holds the
 * installed tarball), each compiling a file that uses every export of every entry point, with
 * `strict` and the default `skipLibCheck: false`. The bundler project also compiles every ```ts
 * block of the READMEs (bundler resolution, as the samples' own relative imports need).
 */
export function writeConsumerProjects(root: string, work: string): void {
  // Node's types, as a server app has them; linked from the project rather than downloaded.
  mkdirSync(join(work, 'node_modules', '@types'), { recursive: true });
  // React's types too, for `rxsync/react` (React is its optional peer, which a React app has).
  for (const types of ['node', 'react', 'react-dom']) {
    const link = join(work, 'node_modules', '@types', types);
    if (!existsSync(link)) symlinkSync(join(root, 'node_modules', '@types', types), link, 'dir');
  }
  // Yjs, the optional peer of rxsync/yjs, as an app using that entry installs it (linked, like Node's types).
  const yjs = join(work, 'node_modules', 'yjs');
  if (!existsSync(yjs)) symlinkSync(join(root, 'node_modules', 'yjs'), yjs, 'dir');
  const apis = publicApi(root);
  for (const [name, config] of Object.entries(CONSUMER_CONFIGS)) {
    const entries = consumerSource(config.browser ? apis.filter((api) => !NODE_ONLY.has(api.specifier)) : apis);
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type: config.type }));
    const files = ['entries.ts'];
    writeFileSync(join(dir, 'entries.ts'), entries);
    if (name === 'bundler') {
      writeFileSync(join(dir, 'prelude.ts'), README_PRELUDE);
      files.push('prelude.ts');
      for (const markdown of markdownFiles(root)) {
        const blocks = tsBlocks(join(root, markdown));
        if (blocks.length === 0) continue;
        // Next to a copy of the sample's sources, so a block's relative imports resolve as in the repo.
        const folder = join(dir, dirname(markdown));
        if (dirname(markdown) !== '.') cpSync(join(root, dirname(markdown), 'src'), join(folder, 'src'), { recursive: true });
        mkdirSync(folder, { recursive: true });
        for (const block of blocks) {
          const file = join(folder, `README.md-line-${block.line}.${block.ext}`);
          writeFileSync(file, block.source);
          files.push(relative(dir, file));
        }
      }
    }
    const compilerOptions = {
      target: 'ES2022',
      lib: ['ES2022', 'DOM', 'DOM.Iterable'],
      module: config.module,
      moduleResolution: config.moduleResolution,
      strict: true,
      skipLibCheck: false,
      noEmit: true,
      types: config.browser ? [] : ['node'],
      jsx: 'react-jsx',
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }, null, 2));
  }
}

/** Runs the project's TypeScript on one consumer project; returns its diagnostics ('' when clean). */
export function compileConsumer(root: string, work: string, name: ConsumerConfig): string {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', join(work, name), '--pretty', 'false'], { cwd: join(work, name), stdio: 'pipe' });
    return '';
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    return `${String(stdout ?? '')}${String(stderr ?? '')}` || String(error);
  }
}
