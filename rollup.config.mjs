import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

/** One entry per public subpath in package.json `exports`. */
const input = {
  index: 'lib/index.ts',
  operators: 'operators/index.ts',
  transports: 'transports/index.ts',
  storage: 'lib/storage/entry.ts',
  server: 'server/index.ts',
};

// Peer and runtime dependencies stay imports; Node builtins never get bundled.
const external = [/^rxjs(\/|$)/, /^rxjs-websockets/, /^immer/, /^localforage/, /^ws$/, /^eventsource/, /^node:/];

export default [
  {
    input,
    external,
    plugins: [typescript({ tsconfig: './tsconfig.build.json', outputToFilesystem: false })],
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
      {
        dir: 'dist',
        format: 'cjs',
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
    plugins: [dts({ tsconfig: './tsconfig.build.json' })],
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'chunks/[name]-[hash].d.ts' },
      { dir: 'dist', format: 'es', entryFileNames: '[name].d.cts', chunkFileNames: 'chunks/[name]-[hash].d.cts' },
    ],
  },
];
