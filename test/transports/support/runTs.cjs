// Runs a TypeScript test-support file in a child Node process (the package is "type": "module",
// so `node file.ts` would go to the ESM loader): transpile on require, map `./x.js` to `./x.ts`.
// Usage: node runTs.cjs <file.ts> [args...]
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const ts = require('typescript');

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (parent && parent.filename && parent.filename.endsWith('.ts') && /^\.\.?\//.test(request) && request.endsWith('.js')) {
    const candidate = path.resolve(path.dirname(parent.filename), request.slice(0, -3) + '.ts');
    if (fs.existsSync(candidate)) return candidate;
  }
  return resolve.call(this, request, parent, ...rest);
};
require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};
const entry = path.resolve(process.argv[2]);
process.argv.splice(1, 2, entry);
require(entry);
