import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteLog } from '../../server/sqliteLog.js';
import { counterOp, opsFrame, startHub } from './fixtures/hubFixture.js';
import { opIds, wsClient } from './fixtures/rawClients.js';

describe('hub restart on a SQLite log', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rxsync-hub-reload-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reloads each room from its latest snapshot plus the ops after it', async () => {
    const path = join(dir, 'hub.db');
    const nextId = opIds('reload');
    const first = await startHub({ log: await openSqliteLog({ path }), snapshotEvery: 3 });
    const writer = await wsClient(first.url);
    await writer.hello('notes');
    for (let i = 0; i < 7; i++) {
      await writer.send(
        opsFrame([
          counterOp(nextId()),
          {
            id: nextId(),
            doc: 'title',
            type: 'lww-register',
            body: { type: 'lww-register', v: 1, value: `v${i}`, stamp: `0loyw3v2800${i}n1` },
          },
        ]),
      );
      await writer.waitFor(() => writer.messages('ack').length === i + 1, `ack ${i}`);
    }
    const before = { count: await first.hub.value('notes', 'count'), title: await first.hub.value('notes', 'title') };
    expect(before.count).toEqual({ type: 'pn-counter', value: 7 });
    await first.hub.close();

    const second = await startHub({ log: await openSqliteLog({ path }), snapshotEvery: 3 });
    try {
      expect(await second.hub.value('notes', 'count')).toEqual(before.count);
      expect(await second.hub.value('notes', 'title')).toEqual(before.title);
      expect(await second.hub.head('notes')).toBe(14);
      const reader = await wsClient(second.url);
      await reader.hello('notes');
      await reader.waitFor(() => reader.messages('peers').length === 1, 'joined');
      // The latest snapshot was taken at seq 12 (every 3 ops: 2 per message).
      expect(reader.messages('snapshot')[0]!.data['seq']).toBe(12);
      expect(reader.messages('op').map((m) => m.seq)).toEqual([13, 14]);
      await reader.close();
    } finally {
      await second.hub.close();
    }
  });
});
