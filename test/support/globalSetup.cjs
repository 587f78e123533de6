// Before the suite: builds dist/ when it is missing or older than the sources (tests that run
// child processes, the package test and the browser samples use the built package, as users do),
// then the samples whose sources or dist/ changed. Both scripts are the ones `npm start` uses.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');

module.exports = async function globalSetup() {
  execFileSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: root, stdio: 'inherit' });
  // The browser suites (test/browser) serve the built samples (a no-op scan when up to date).
  execFileSync(process.execPath, ['samples/build.mjs', '--if-stale'], { cwd: root, stdio: 'inherit' });
};
