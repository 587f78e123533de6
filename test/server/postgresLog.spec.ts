import { Pool } from 'pg';
import type { RxSyncError } from '../../lib/errors.js';
import type { OpLog } from '../../server/opLog.js';
import { postgresLog, type PostgresLogOptions } from '../../server/postgresLog.js';
import type { PostgresPool } from '../../server/postgresPool.js';
import { describeOpLogContract, op } from './fixtures/opLogContract.js';
import { adminPool, dropSchemas, freshSchema, pgUrl } from './fixtures/postgresTestDb.js';

// A pg Pool is what `pool` takes: this line stops compiling if the structural type drifts from pg's.
const poolType: (pool: Pool) => PostgresPool = (pool) => pool;

let admin: Pool;
const schemas = new Set<string>();

/** A schema for one test, dropped after the suite. */
function schemaForTest(prefix = 'pglog'): string {
  const schema = freshSchema(prefix);
  schemas.add(schema);
  return schema;
}

beforeAll(async () => {
  admin = await adminPool();
});
afterAll(async () => {
  await dropSchemas(admin, schemas);
  await admin.end();
});

describe('postgresLog', () => {
  describeOpLogContract(async () => {
    const schema = schemaForTest();
    return { log: await postgresLog({ connectionString: pgUrl, schema }), cleanup: () => dropSchemas(admin, [schema]) };
  });
});

describe('postgresLog options', () => {
  it.each<[string, unknown, string]>([
    ['neither pool nor connectionString', {}, 'E_OPTION_INVALID'],
    ['both', { connectionString: pgUrl, pool: new Pool() }, 'E_OPTION_INVALID'],
    ['an empty connectionString', { connectionString: '' }, 'E_OPTION_INVALID'],
    ['a pool that is not one', { pool: { query: () => undefined } }, 'E_OPTION_INVALID'],
    ['a schema that is not an identifier', { connectionString: pgUrl, schema: 'a"; DROP SCHEMA public; --' }, 'E_OPTION_INVALID'],
    ['a misspelt option', { connectionString: pgUrl, schemaName: 'x' }, 'E_OPTION_UNKNOWN'],
  ])('refuses %s', async (_name, options, code) => {
    await expect(postgresLog(options as PostgresLogOptions)).rejects.toMatchObject({ code });
  });

  it('fails to open with E_LOG_READ and the reason when PostgreSQL refuses the connection', async () => {
    const error = await postgresLog({ connectionString: 'postgres://postgres@127.0.0.1:1/test', schema: schemaForTest() }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'E_LOG_READ', message: expect.stringContaining('ECONNREFUSED') });
  });

  it('leaves a pool it was given open, and ends one it opened', async () => {
    const pool = new Pool({ connectionString: pgUrl, max: 2 });
    const schema = schemaForTest();
    const log = await postgresLog({ pool: poolType(pool), schema });
    await log.append('r', [op('a')]);
    await log.close();
    expect(pool.listenerCount('error')).toBe(0);
    expect((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".ops`)).rows[0]!.n).toBe('1');
    await pool.end();
    const own = await postgresLog({ connectionString: pgUrl, schema });
    await own.close();
    await expect(own.head('r')).rejects.toMatchObject({ code: 'E_LOG_READ' });
  });

  it('says which package to install when pg is missing', async () => {
    let open: typeof postgresLog | undefined;
    jest.isolateModules(() => {
      jest.doMock('pg', () => {
        throw new Error('Cannot find module');
      });
      ({ postgresLog: open } = jest.requireActual<typeof import('../../server/postgresLog.js')>('../../server/postgresLog.js'));
    });
    await expect(open!({ connectionString: pgUrl })).rejects.toMatchObject({
      code: 'E_DEPENDENCY_MISSING',
      message: expect.stringContaining('npm install pg@8'),
    });
    jest.dontMock('pg');
  });
});

describe('postgresLog shared by several hubs', () => {
  const logs: OpLog[] = [];
  afterEach(async () => {
    await Promise.all(logs.splice(0).map((log) => log.close()));
  });
  const open = async (schema: string): Promise<OpLog> => {
    const log = await postgresLog({ connectionString: pgUrl, schema });
    logs.push(log);
    return log;
  };

  it('numbers concurrent appends of two hubs to one room without gaps, storing each id once', async () => {
    const schema = schemaForTest();
    const [a, b] = [await open(schema), await open(schema)];
    // Each hub sends 20 batches of 5 ids drawn from 0..59, so the hubs keep resending each other's ids.
    const batches = (offset: number) =>
      Array.from({ length: 20 }, (_, i) => Array.from({ length: 5 }, (_, j) => op(`o${(offset + i * 7 + j * 3) % 60}`)));
    const run = async (log: OpLog, offset: number) => {
      const results = [];
      for (const batch of batches(offset)) results.push(await log.append('shared', batch));
      return results;
    };
    const results = (await Promise.all([run(a, 0), run(b, 11)])).flat();
    const applied = results.flatMap((r) => r.applied).sort((x, y) => x.seq - y.seq);
    const ids = new Set(
      batches(0)
        .concat(batches(11))
        .flat()
        .map((o) => o.id),
    );
    expect(applied.map((l) => l.seq)).toEqual(Array.from({ length: ids.size }, (_, i) => i + 1));
    expect(new Set(applied.map((l) => l.op.id)).size).toBe(ids.size);
    expect(results.reduce((n, r) => n + r.applied.length + r.duplicates.length, 0)).toBe(2 * 20 * 5);
    const stored = await a.read('shared', 0, 1000);
    expect(stored.map((l) => [l.seq, l.op.id])).toEqual(applied.map((l) => [l.seq, l.op.id]));
    expect(await b.head('shared')).toBe(ids.size);
  });

  it('keeps the newer snapshot when two hubs save out of order', async () => {
    const schema = schemaForTest();
    const [a, b] = [await open(schema), await open(schema)];
    await a.append('r', [op('x'), op('y')]);
    await a.saveSnapshot('r', { seq: 2, docs: [{ doc: 'd', type: 'pn-counter', state: 2 }] });
    await b.saveSnapshot('r', { seq: 1, docs: [{ doc: 'd', type: 'pn-counter', state: 1 }] });
    expect(await b.snapshot('r')).toEqual({ seq: 2, docs: [{ doc: 'd', type: 'pn-counter', state: 2 }] });
  });

  it('migrates an empty schema once when three hubs start together, and again is a no-op', async () => {
    const schema = schemaForTest();
    const three = await Promise.all([open(schema), open(schema), open(schema)]);
    await three[0]!.append('r', [op('a')]);
    await open(schema);
    const { rows } = await admin.query<{ version: number }>(`SELECT version FROM "${schema}".rxsync_migrations ORDER BY version`);
    expect(rows).toEqual([{ version: 1 }]);
    expect(await three[2]!.head('r')).toBe(1);
  });

  it('refuses a schema migrated by a newer rxsync', async () => {
    const schema = schemaForTest();
    await open(schema);
    await admin.query(`INSERT INTO "${schema}".rxsync_migrations (version) VALUES (99)`);
    await expect(open(schema)).rejects.toMatchObject({ code: 'E_LOG_READ', message: expect.stringContaining('version 99') });
  });
});

describe('postgresLog reading damaged rows', () => {
  let log: OpLog;
  let schema: string;
  beforeEach(async () => {
    schema = schemaForTest();
    log = await postgresLog({ connectionString: pgUrl, schema });
    await log.append(`r'1`, [op('a'), op('b'), op('c')]);
    await log.saveSnapshot(`r'1`, { seq: 3, docs: [{ doc: 'd', type: 'lww-map', state: {} }] });
  });
  afterEach(() => log.close());

  it.each([
    ['text that is not JSON', `'{"id":"b"'`],
    ['an op whose id differs from its row', `'{"id":"zz","doc":"d","type":"lww-map","body":1}'`],
    ['an unknown type', `'{"id":"b","doc":"d","type":"nope","body":1}'`],
    ['a missing body', `'{"id":"b","doc":"d","type":"lww-map"}'`],
    ['an array', `'[1,2]'`],
  ])('refuses %s with E_LOG_READ naming room and seq', async (_name, damagedOp) => {
    await admin.query(`UPDATE "${schema}".ops SET op = ${damagedOp} WHERE seq = 2`);
    const error = (await log.read(`r'1`, 0, 10).catch((e: unknown) => e)) as RxSyncError;
    expect(error).toMatchObject({ code: 'E_LOG_READ', details: { room: `r'1`, seq: 2 } });
    expect(error.message).toMatch(/room r'1 at seq 2/);
    // The rows around it still read.
    expect((await log.read(`r'1`, 2, 10)).map((l) => l.seq)).toEqual([3]);
  });

  it('refuses a gap in the seqs', async () => {
    await admin.query(`DELETE FROM "${schema}".ops WHERE seq = 2`);
    await expect(log.read(`r'1`, 0, 10)).rejects.toMatchObject({ code: 'E_LOG_READ', details: { room: `r'1`, seq: 3 } });
  });

  it('refuses a damaged snapshot', async () => {
    await admin.query(`UPDATE "${schema}".snapshots SET docs = '[{"doc":"d","type":"lww-map"}]'`);
    await expect(log.snapshot(`r'1`)).rejects.toMatchObject({ code: 'E_LOG_READ', details: { room: `r'1`, seq: 3 } });
    await admin.query(`UPDATE "${schema}".snapshots SET docs = '{"x":1}'`);
    await expect(log.snapshot(`r'1`)).rejects.toMatchObject({ code: 'E_LOG_READ' });
  });
});

describe('postgresLog when the server drops its connection', () => {
  it('survives a backend ended while idle and while waiting inside an append, then appends again', async () => {
    const schema = schemaForTest();
    const applicationName = freshSchema('rxsync_drop');
    // No `error` listener of the test's own: an unheard pool or client error would end jest.
    const pool = new Pool({ connectionString: pgUrl, max: 1, application_name: applicationName });
    const log = await postgresLog({ pool, schema });
    const terminate = () =>
      admin.query<{ ended: boolean }>(`SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = $1`, [
        applicationName,
      ]);
    try {
      await log.append('r', [op('a')]);
      // Idle: the pool hears the error and drops the connection.
      expect((await terminate()).rows).toEqual([{ ended: true }]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const afterIdle = await log.append('r', [op('b')]).catch((e: unknown) => e);
      if (!('applied' in (afterIdle as object))) expect(afterIdle).toMatchObject({ code: 'E_LOG_WRITE' });

      // Inside an append: the test holds the room's row, the append waits on it, its backend is ended.
      const blocker = await admin.connect();
      await blocker.query('BEGIN');
      await blocker.query(`SELECT head FROM "${schema}".rooms WHERE room = 'r' FOR UPDATE`);
      const waiting = log.append('r', [op('c')]).catch((e: unknown) => e);
      for (let i = 0; i < 100; i++) {
        const { rows } = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [
          applicationName,
        ]);
        if (rows.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect((await terminate()).rows).toEqual([{ ended: true }]);
      expect(await waiting).toMatchObject({ code: 'E_LOG_WRITE', details: { room: 'r' } });
      await blocker.query('ROLLBACK');
      blocker.release();

      const again = await log.append('r', [op('c'), op('a')]);
      expect(again.duplicates).toEqual(['a']);
      const ids = (await log.read('r', 0, 10)).map((l) => l.op.id);
      expect(ids).toEqual(ids.includes('b') ? ['a', 'b', 'c'] : ['a', 'c']);
      expect(await log.head('r')).toBe(ids.length);
    } finally {
      await log.close();
      await pool.end();
    }
  });
});
