import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

/** One entry per public subpath in package.json `exports`. */
const input = {
  index: 'lib/index.ts',
  operators: 'operators/index.ts',
  transports: 'transports/index.ts',
  storage: 'lib/storage/entry.ts',
  protocol: 'lib/protocol/index.ts',
  node: 'node/index.ts',
  server: 'server/index.ts',
  testing: 'testing/index.ts',
  yjs: 'yjs/index.ts',
  angular: 'angular/index.ts',
  svelte: 'svelte/index.ts',
  react: 'react/index.ts',
};

// Peer and runtime dependencies stay imports; Node builtins never get bundled.
const external = [
  /^rxjs(\/|$)/,
  /^rxjs-websockets/,
  /^immer/,
  /^jose/,
  /^localforage/,
  /^ws$/,
  /^eventsource/,
  /^better-sqlite3$/,
  /^pg$/,
  /^redis$/,
  /^yjs$/,
  /^svelte(\/|$)/,
  /^pino$/,
  /^@angular\//,
  /^node:/,
  /^react(-dom)?(\/|$)/,
];

// The CLI imports the hub through server/index.ts, kept external and pointed at dist/server.js, so
// the published package carries the hub code once.
const serverEntry = /[\\/]server[\\/]index\.(js|ts)$/;
const cliExternal = (id, importer) =>
  external.some((pattern) => pattern.test(id)) ||
  (importer !== undefined && /[\\/]server[\\/]cli\.ts$/.test(importer) && id === './index.js');

// Yjs ships ESM-only declarations: a CommonJS consumer's compiler accepts them only through a
// type-only import that says how to resolve it (TS1479 / TS1541 otherwise).
const yjsTypeImport = {
  name: 'yjs-type-import',
  renderChunk: (code) =>
    code.replace(/^import \* as (\w+) from 'yjs';$/gm, "import type * as $1 from 'yjs' with { 'resolution-mode': 'import' };"),
};

// @angular/core ships ESM only: a CommonJS consumer's TypeScript (node16) refuses to `require` its
// types unless the import says it resolves as ESM. (At run time Node ≥ 20.19 `require`s it fine.)
const esmOnlyTypesInCjs = {
  name: 'esm-only-types-in-cjs',
  renderChunk: (code) =>
    code.replace(/^import \{([^}]*)\} from '(@angular\/core)';$/gm, "import type {$1} from '$2' with { 'resolution-mode': 'import' };"),
};

// `rxsync/testing` uses a few hub types (limits, logger) that the declaration bundle imports through
// server.d.ts, whose `node:http` import would make a browser project (skipLibCheck false, no
// @types/node) fail to type-check the kit: they are imported from the chunk that declares them.
const kitTypesNotThroughServer = {
  name: 'kit-types-not-through-server',
  generateBundle(_options, bundle) {
    for (const [fileName, kit] of Object.entries(bundle)) {
      const dialect = /^testing\.d\.(c?)ts$/.exec(fileName)?.[1];
      if (dialect === undefined || kit.type !== 'chunk') continue;
      const server = bundle[`server.d.${dialect}ts`];
      const declaredIn = new Map();
      for (const [, names, from] of server.code.matchAll(/^import \{([^}]*)\} from '(\.\/chunks\/[^']+)';$/gm)) {
        for (const part of names.split(','))
          declaredIn.set(
            part
              .trim()
              .split(/\s+as\s+/)
              .at(-1),
            { part: part.trim(), from },
          );
      }
      kit.code = kit.code.replace(/^import \{([^}]*)\} from '\.\/server\.c?js';$/gm, (_line, names) =>
        names
          .split(',')
          .map((name) => {
            const source = declaredIn.get(name.trim());
            if (source === undefined)
              throw new Error(`${fileName} needs ${name.trim()} from server.d.${dialect}ts, which declares it itself`);
            return `import { ${source.part} } from '${source.from}';`;
          })
          .join('\n'),
      );
    }
  },
};

export default [
  {
    input,
    external,
    plugins: [typescript({ tsconfig: './tsconfig.build.json', outputToFilesystem: false })],
    output: [
      // No bare `import './chunks/…'` lines for transitive chunks: with sideEffects false, bundlers
      // warn about (and drop) them anyway.
      { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js', hoistTransitiveImports: false },
      {
        dir: 'dist',
        format: 'cjs',
        hoistTransitiveImports: false,
        exports: 'named',
        interop: 'auto',
        entryFileNames: '[name].cjs',
        chunkFileNames: 'chunks/[name]-[hash].cjs',
      },
    ],
  },
  {
    input,
    external,
    plugins: [dts({ tsconfig: './tsconfig.build.json' }), yjsTypeImport, kitTypesNotThroughServer],
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'chunks/[name]-[hash].d.ts' },
      {
        dir: 'dist',
        format: 'es',
        entryFileNames: '[name].d.cts',
        chunkFileNames: 'chunks/[name]-[hash].d.cts',
        plugins: [esmOnlyTypesInCjs],
      },
    ],
  },
  {
    input: { 'hub-cli': 'server/cli.ts' },
    external: cliExternal,
    plugins: [typescript({ tsconfig: './tsconfig.build.json', outputToFilesystem: false })],
    output: {
      dir: 'dist',
      format: 'es',
      entryFileNames: '[name].js',
      banner: '#!/usr/bin/env node',
      paths: (id) => (serverEntry.test(id) ? './server.js' : id),
    },
  },
];
