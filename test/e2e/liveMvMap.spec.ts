// An mv-map document on a real hub: two clients write the same fields concurrently; each field's
// concurrent values show as that field's conflict, and resolving one field leaves the others.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteTarget, type LiveTarget } from './support/liveTarget';
import { mvMapScenario } from './scenarios/mvMap';

describe('LiveMvMap between two clients', () => {
  let dir: string;
  let target: LiveTarget & { close(): Promise<void> };
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxsync-mvmap-'));
    target = await sqliteTarget(dir);
  });
  afterEach(async () => {
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows per-field conflicts after concurrent writes and resolves them field by field', () => mvMapScenario(target, 'contacts'));
});
