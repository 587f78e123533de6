import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The samples' TypeScript is checked against the built package's declarations (`dist/*.d.ts`),
 * as an app would see them; it runs here rather than in `npm run typecheck` because dist/ exists
 * only once jest's global setup has built it.
 */
describe('sample sources', () => {
  it('type-check against the published declarations', () => {
    const root = join(__dirname, '..', '..');
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '--noEmit', '-p', join(root, 'samples', 'tsconfig.json')], { cwd: root, stdio: 'pipe' });
    } catch (error) {
      output = String((error as { stdout?: Buffer }).stdout ?? error);
    }
    expect(output).toBe('');
  }, 60_000);
});
