import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteLog } from '../../server/sqliteLog.js';
import { reloadAcrossRestart } from './fixtures/reloadScenario.js';

describe('hub restart on a SQLite log', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rxsync-hub-reload-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reloads each room from its latest snapshot plus the ops after it, and still knows every op id', async () => {
    const path = join(dir, 'hub.db');
    await reloadAcrossRestart(() => openSqliteLog({ path }));
  });
});
