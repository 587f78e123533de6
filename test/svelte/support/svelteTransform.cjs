// Jest transform for .svelte files: compiled by the real Svelte compiler (client output, runes
// as the component declares them), then to CommonJS like the rest of the suite.
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { compile, VERSION } = require('svelte/compiler');
const ts = require('typescript');

const self = readFileSync(join(__dirname, 'svelteTransform.cjs'), 'utf8');

module.exports = {
  process(source, filename) {
    const { js } = compile(source, { filename, generate: 'client', dev: false });
    const { outputText } = ts.transpileModule(js.code, {
      fileName: `${filename}.js`,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, allowJs: true },
    });
    return { code: outputText };
  },
  getCacheKey(source, filename) {
    return createHash('sha256').update(VERSION).update(self).update(filename).update(source).digest('hex');
  },
};
