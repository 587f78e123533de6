import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLog } from '../../server/memoryLog.js';
import { openSqliteLog } from '../../server/sqliteLog.js';
import { describeOpLogContract, op } from './fixtures/opLogContract.js';

// The contract every OpLog keeps is test/server/fixtures/opLogContract.ts (postgresLog runs it in
// postgresLog.spec.ts); what is SQLite's own stays below.
describe('memoryLog', () => {
  describeOpLogContract(async () => ({ log: memoryLog(), cleanup: async () => undefined }));
});

describe('sqliteLog', () => {
  describeOpLogContract(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxsync-log-'));
    return { log: await openSqliteLog({ path: join(dir, 'hub.db') }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  });
});

describe('sqliteLog on disk', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rxsync-log-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps ops, dedupe memory and snapshots across a reopen', async () => {
    const path = join(dir, 'hub.db');
    let log = await openSqliteLog({ path, synchronous: 'normal' });
    await log.append('r', [op('a'), op('b')]);
    await log.saveSnapshot('r', { seq: 2, docs: [] });
    await log.close();
    log = await openSqliteLog({ path });
    expect(await log.head('r')).toBe(2);
    const again = await log.append('r', [op('a'), op('c')]);
    expect(again.duplicates).toEqual(['a']);
    expect(again.applied.map((l) => l.seq)).toEqual([3]);
    expect(await log.snapshot('r')).toEqual({ seq: 2, docs: [] });
    await log.close();
  });

  it('says which package to install when better-sqlite3 is missing', async () => {
    let open: typeof openSqliteLog | undefined;
    jest.isolateModules(() => {
      jest.doMock('better-sqlite3', () => {
        throw new Error('Cannot find module');
      });
      ({ openSqliteLog: open } = jest.requireActual<typeof import('../../server/sqliteLog.js')>('../../server/sqliteLog.js'));
    });
    await expect(open!({ path: join(dir, 'x.db') })).rejects.toMatchObject({
      code: 'E_DEPENDENCY_MISSING',
      message: expect.stringContaining('better-sqlite3@12'),
    });
    jest.dontMock('better-sqlite3');
  });
});
