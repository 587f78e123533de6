import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HubOp } from '../../lib/protocol/hubMessages.js';
import { memoryLog } from '../../server/memoryLog.js';
import type { OpLog } from '../../server/opLog.js';
import { openSqliteLog } from '../../server/sqliteLog.js';

const op = (id: string, doc = 'd', body: HubOp['body'] = { n: id }): HubOp => ({ id, doc, type: 'lww-map', body });

interface Fixture {
  log: OpLog;
  cleanup: () => void;
}

const kinds: [string, () => Promise<Fixture>][] = [
  ['memoryLog', async () => ({ log: memoryLog(), cleanup: () => undefined })],
  [
    'sqliteLog',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rxsync-log-'));
      const path = join(dir, 'hub.db');
      return { log: await openSqliteLog({ path }), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
];

describe.each(kinds)('%s', (_name, make) => {
  let fixture: Fixture;
  let log: OpLog;
  beforeEach(async () => {
    fixture = await make();
    log = fixture.log;
  });
  afterEach(async () => {
    await log.close();
    fixture.cleanup();
  });

  it('numbers ops 1, 2, 3… per room in batch order', async () => {
    expect(await log.head('r')).toBe(0);
    const first = await log.append('r', [op('a'), op('b')]);
    expect(first.applied.map((l) => [l.seq, l.op.id])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    const other = await log.append('other', [op('a')]);
    expect(other.applied.map((l) => l.seq)).toEqual([1]);
    await log.append('r', [op('c')]);
    expect(await log.head('r')).toBe(3);
    expect(await log.head('other')).toBe(1);
  });

  it('refuses an id the room has seen, within a batch too, without using a seq', async () => {
    await log.append('r', [op('a')]);
    const result = await log.append('r', [op('b'), op('a', 'd', { other: true }), op('b'), op('c')]);
    expect(result.applied.map((l) => [l.seq, l.op.id])).toEqual([
      [2, 'b'],
      [3, 'c'],
    ]);
    expect(result.duplicates).toEqual(['a', 'b']);
    const all = await log.read('r', 0, 100);
    expect(all.map((l) => l.op.id)).toEqual(['a', 'b', 'c']);
    expect(all[0]!.op.body).toEqual({ n: 'a' }); // the first write of an id stays
  });

  it('reads after a seq, in order, at most `limit`', async () => {
    await log.append(
      'r',
      ['a', 'b', 'c', 'd', 'e'].map((id) => op(id)),
    );
    expect((await log.read('r', 0, 2)).map((l) => l.seq)).toEqual([1, 2]);
    expect((await log.read('r', 2, 10)).map((l) => l.seq)).toEqual([3, 4, 5]);
    expect(await log.read('r', 5, 10)).toEqual([]);
    expect(await log.read('nothing', 0, 10)).toEqual([]);
  });

  it('keeps bodies as JSON data, reserved keys included', async () => {
    const body = JSON.parse('{"__proto__":{"x":1},"constructor":"c","nested":[1,"two",null,{"prototype":true}]}') as HubOp['body'];
    await log.append('r', [{ id: 'p', doc: 'doc:1', type: 'or-set', body }]);
    const [read] = await log.read('r', 0, 1);
    expect(read!.op).toEqual({ id: 'p', doc: 'doc:1', type: 'or-set', body });
    expect(Object.keys(read!.op.body as object)).toEqual(['__proto__', 'constructor', 'nested']);
    expect(Object.getPrototypeOf(read!.op.body)).toBe(Object.prototype);
  });

  it('saves and replaces the latest snapshot per room, never past the head', async () => {
    expect(await log.snapshot('r')).toBeUndefined();
    await log.append('r', [op('a'), op('b')]);
    await log.saveSnapshot('r', { seq: 1, docs: [{ doc: 'd', type: 'pn-counter', state: { v: 1 } }] });
    await log.saveSnapshot('r', { seq: 2, docs: [{ doc: 'd', type: 'pn-counter', state: { v: 2 } }] });
    expect(await log.snapshot('r')).toEqual({ seq: 2, docs: [{ doc: 'd', type: 'pn-counter', state: { v: 2 } }] });
    await expect(log.saveSnapshot('r', { seq: 3, docs: [] })).rejects.toMatchObject({ code: 'E_LOG_WRITE' });
    expect(await log.snapshot('other')).toBeUndefined();
    // A snapshot does not shorten the log.
    expect((await log.read('r', 0, 10)).length).toBe(2);
  });

  it('fails with a coded error once closed', async () => {
    await log.close();
    await expect(log.append('r', [op('a')])).rejects.toMatchObject({ code: expect.stringMatching(/^E_LOG_/) });
    await expect(log.head('r')).rejects.toMatchObject({ code: expect.stringMatching(/^E_LOG_/) });
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
