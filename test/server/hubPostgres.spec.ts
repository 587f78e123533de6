import type { Pool } from 'pg';
import { postgresLog } from '../../server/postgresLog.js';
import { adminPool, dropSchemas, freshSchema, pgUrl } from './fixtures/postgresTestDb.js';
import { reloadAcrossRestart } from './fixtures/reloadScenario.js';

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
    await reloadAcrossRestart(
      () => postgresLog({ connectionString: pgUrl, schema }),
      async (acked) => {
        // Acked means durable: the rows are there for any other connection to read.
        const { rows } = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".ops WHERE room = 'notes'`);
        expect(Number(rows[0]!.n)).toBe(2 * acked);
      },
    );
  });
});
