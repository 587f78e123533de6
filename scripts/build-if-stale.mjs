// Builds dist/ with `npm run build` only when it is missing, incomplete or older than the sources
// (see freshness.mjs); otherwise leaves it alone, so `npm start` does not delete a good build.
// `npm run build` itself always rebuilds.
import { spawnSync } from 'node:child_process';
import { distStaleness, root } from './freshness.mjs';

const reason = distStaleness(root);
if (reason === undefined) {
  console.log('dist/ is up to date');
} else {
  console.log(`building dist/: ${reason}`);
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
