// Op log append throughput: OPS ops appended to one room in group commits of 1, 10 and 100 ops
// (one `append` per group, each awaited, as the hub's room writer does), in memory, in SQLite
// (synchronous=FULL, the default, and NORMAL) and in PostgreSQL (RXSYNC_PG_URL or the local
// default, its own schema dropped after). The anchor is SQLite FULL at the same group size.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { memoryLog, openSqliteLog, postgresLog } from '../dist/server.js';

const OPS = Number(process.env.OPS ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const GROUPS = [1, 10, 100];
const pgUrl = process.env.RXSYNC_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = mkdtempSync(join(tmpdir(), 'rxsync-oplog-bench-'));
const schema = `oplog_bench_${randomBytes(4).toString('hex')}`;
const logs = {
  memory: memoryLog(),
  'SQLite FULL': await openSqliteLog({ path: join(dir, 'full.db') }),
  'SQLite NORMAL': await openSqliteLog({ path: join(dir, 'normal.db'), synchronous: 'normal' }),
  PostgreSQL: await postgresLog({ connectionString: pgUrl, schema }),
};

let run = 0;
const op = (i) => ({
  id: `op-${run}-${i}`,
  doc: 'todos',
  type: 'lww-map',
  body: { type: 'lww-map', v: 1, entries: { [`k${i % 50}`]: { value: `todo number ${i}`, stamp: '0loyw3v28000n1' } } },
});

/** ms to append OPS ops to a fresh room in groups of `size`. */
async function appendAll(log, size) {
  run++;
  const room = `bench-${run}`;
  const start = process.hrtime.bigint();
  for (let i = 0; i < OPS; i += size) {
    const result = await log.append(
      room,
      Array.from({ length: Math.min(size, OPS - i) }, (_, j) => op(i + j)),
    );
    if (result.duplicates.length > 0) throw new Error('unexpected duplicate');
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if ((await log.head(room)) !== OPS) throw new Error('not all ops stored');
  return ms;
}

const results = {}; // kind → group → median ms
try {
  for (const [kind, log] of Object.entries(logs)) {
    results[kind] = {};
    for (const size of GROUPS) {
      const times = [];
      for (let r = 0; r < ROUNDS + 1; r++) {
        const ms = await appendAll(log, size);
        if (r > 0) times.push(ms); // the first round warms up
      }
      results[kind][size] = median(times);
    }
  }
} finally {
  for (const log of Object.values(logs)) await log.close();
  rmSync(dir, { recursive: true, force: true });
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
}

console.log(`Op log: ${OPS} ops appended to one room, one awaited append per group (median of ${ROUNDS}; ops/s)\n`);
console.log(`| log | ${GROUPS.map((g) => `groups of ${g}`).join(' | ')} | ${GROUPS.map((g) => `vs SQLite FULL (${g})`).join(' | ')} |`);
console.log(`|---|${GROUPS.map(() => '---:').join('|')}|${GROUPS.map(() => '---:').join('|')}|`);
for (const [kind, byGroup] of Object.entries(results)) {
  const rates = GROUPS.map((g) => Math.round((OPS / byGroup[g]) * 1000).toLocaleString('en-US'));
  const ratios = GROUPS.map((g) => `${(results['SQLite FULL'][g] / byGroup[g]).toFixed(2)}×`);
  console.log(`| ${kind} | ${rates.join(' | ')} | ${ratios.join(' | ')} |`);
}
