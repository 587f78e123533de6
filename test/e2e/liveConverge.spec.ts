import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seed } from '../support/fc';
import { sqliteTarget, type LiveTarget } from './support/liveTarget';
import { convergeScenario } from './scenarios/converge';

/**
 * Three clients in one room, one per transport, edit four documents concurrently at random (seeded:
 * the seed is printed) through a real hub whose log is a real SQLite file. Every client must end
 * with the same values as each other and as the hub. (test/cluster runs the same scenario on a cluster.)
 */
const EDITS = Number(process.env['LIVE_EDITS'] ?? (process.env['FC_RUNS'] ? 400 : 60));

describe('live documents converge across WebSocket, SSE and polling', () => {
  let dir: string;
  let target: LiveTarget & { close(): Promise<void> };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxsync-converge-'));
    target = await sqliteTarget(dir);
  });

  afterAll(async () => {
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`reaches one value everywhere after ${EDITS} random concurrent edits (seed ${seed})`, () =>
    convergeScenario(target, 'converge', EDITS, seed));
});
