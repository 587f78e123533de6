import type { Pool } from 'pg';
import { postgresLog } from '../../server/postgresLog.js';
import { counterOp, opsFrame, startHub } from './fixtures/hubFixture.js';
import { adminPool, dropSchemas, freshSchema, pgUrl } from './fixtures/postgresTestDb.js';
import { opIds, wsClient } from './fixtures/rawClients.js';

describe('hub on a PostgreSQL log', () => {
  let admin: Pool;
  const schema = freshSchema('hub_pg');
  beforeAll(async () => {
    admin = await adminPool();
  });
  afterAll(async () => {
    await dropSchemas(admin, [schema]);
    await admin.end();
  });

  it('acks ops once they are in PostgreSQL and reloads values and seqs from there after a restart', async () => {
    const nextId = opIds('pg');
    const counterIds: string[] = [];
    const first = await startHub({ log: await postgresLog({ connectionString: pgUrl, schema }), snapshotEvery: 3 });
    const writer = await wsClient(first.url);
    await writer.hello('notes');
    for (let i = 0; i < 7; i++) {
      counterIds.push(nextId());
      await writer.send(
        opsFrame([
          counterOp(counterIds[i]!),
          {
            id: nextId(),
            doc: 'title',
            type: 'lww-register',
            body: { type: 'lww-register', v: 1, value: `v${i}`, stamp: `0loyw3v2800${i}n1` },
          },
        ]),
      );
      await writer.waitFor(() => writer.messages('ack').length === i + 1, `ack ${i}`);
      // Acked means durable: the rows are there for any other connection to read.
      const { rows } = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".ops WHERE room = 'notes'`);
      expect(Number(rows[0]!.n)).toBe(2 * (i + 1));
    }
    const before = { count: await first.hub.value('notes', 'count'), title: await first.hub.value('notes', 'title') };
    expect(before.count).toEqual({ type: 'pn-counter', value: 7 });
    await writer.close();
    await first.hub.close();

    const second = await startHub({ log: await postgresLog({ connectionString: pgUrl, schema }), snapshotEvery: 3 });
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
      // A resent op is acked and not applied again; a new one continues the sequence.
      const resent = counterOp(counterIds[0]!);
      await reader.send(opsFrame([resent, counterOp(nextId())]));
      await reader.waitFor(() => reader.messages('ack').length === 1, 'ack after reload');
      expect(await second.hub.value('notes', 'count')).toEqual({ type: 'pn-counter', value: 8 });
      expect(await second.hub.head('notes')).toBe(15);
      await reader.close();
    } finally {
      await second.hub.close();
    }
  });
});
