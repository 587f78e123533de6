// Builds dist/ once before the suite when it is missing or older than the sources: tests that
// run child processes (kill -9 trials), the package test and the browser samples use the built
// package, as users do.
const { execFileSync } = require('node:child_process');
const { readdirSync, statSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');

function newestSource(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestSource(path) : stat.mtimeMs);
  }
  return newest;
}

module.exports = async function globalSetup() {
  const built = join(root, 'dist', 'index.js');
  const sources = Math.max(...['lib', 'operators', 'transports', 'server'].map((d) => newestSource(join(root, d))));
  if (!existsSync(built) || statSync(built).mtimeMs < sources) {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  }
  // The browser suites (test/browser) serve the built samples: build those whose sources or
  // dist/ changed since their last build (a no-op scan when they are up to date).
  execFileSync(process.execPath, ['samples/build.mjs', '--if-stale'], { cwd: root, stdio: 'inherit' });
};
