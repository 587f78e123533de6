// The hub command's storage flags, through the built command (dist/hub-cli.js): its help, the
// refusals (exit 2 with the usage), a database that cannot be reached (exit 1, no usage, no
// password), and a hub on PostgreSQL + Redis that serves clients. Flag combinations one by one are
// in cliStore.spec.ts.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { counterOp, opsFrame } from './fixtures/hubFixture';
import { startHubProcess } from './fixtures/hubProcess';
import { wsClient } from './fixtures/rawClients';

const cli = join(__dirname, '..', '..', 'dist', 'hub-cli.js');
const PG_URL = process.env['RXSYNC_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env['RXSYNC_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** Runs the command to its end; the environment leaves out RXSYNC_POSTGRES_URL and RXSYNC_REDIS_URL unless given. */
function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const clean = { ...process.env };
  delete clean['RXSYNC_POSTGRES_URL'];
  delete clean['RXSYNC_REDIS_URL'];
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...clean, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

async function dropSchema(schema: string): Promise<void> {
  const db = new pg.Client({ connectionString: PG_URL });
  await db.connect();
  await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db.end();
}

describe('rxsync-hub storage flags', () => {
  it('--help lists them', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const flag of [
      '--postgres URL',
      '--postgres-schema NAME',
      '--redis URL',
      '--redis-prefix P',
      'RXSYNC_POSTGRES_URL',
      'RXSYNC_REDIS_URL',
    ])
      expect(stdout).toContain(flag);
  });

  it.each([
    [['--redis', REDIS_URL], '--redis needs --postgres (or RXSYNC_POSTGRES_URL): hubs that share rooms must share one op log'],
    [['--postgres', PG_URL, '--data', 'x'], "--data is the SQLite log's folder: leave it out with --postgres"],
    [['--postgres', PG_URL, '--postgres-schema', 'no-dashes'], '--postgres-schema must be a letter or _'],
  ])('refuses %j: exit 2, the reason and the usage', async (args, reason) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toContain(reason);
    expect(stderr).toContain('Usage: rxsync-hub');
  });

  it('RXSYNC_POSTGRES_URL with a bad URL is refused by its name', async () => {
    const { code, stderr } = await run([], { RXSYNC_POSTGRES_URL: 'db.internal:5432' });
    expect(code).toBe(2);
    expect(stderr).toContain('RXSYNC_POSTGRES_URL must be a postgres: or postgresql: URL');
  });

  it('a PostgreSQL that cannot be reached ends the command with exit 1, without the usage or the password', async () => {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    const { code, stderr } = await run(['--postgres', 'postgres://app:hunter2secret@127.0.0.1:1/db', '--log-level', 'silent']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^rxsync-hub: /);
    expect(stderr).not.toContain('Usage:');
    expect(stderr).not.toContain('hunter2secret');
  });

  it('a Redis that cannot be reached ends the command with exit 1 naming Redis', async () => {
    const schema = `hub_cli_redis_down_${randomBytes(4).toString('hex')}`;
    try {
      const { code, stderr } = await run([
        '--postgres',
        PG_URL,
        '--postgres-schema',
        schema,
        '--redis',
        'redis://127.0.0.1:1',
        '--log-level',
        'silent',
      ]);
      expect(code).toBe(1);
      expect(stderr).toMatch(/^rxsync-hub: .*Redis/);
      expect(stderr).not.toContain('Usage:');
    } finally {
      await dropSchema(schema);
    }
  });
});

describe('rxsync-hub on PostgreSQL and Redis', () => {
  const tag = randomBytes(4).toString('hex');
  const schema = `hub_cli_${tag}`;
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'rxsync-hub-cli-pg-'))));
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropSchema(schema);
  });

  it('two hub processes on one schema and prefix serve one room: an op written on one reaches a client of the other', async () => {
    const args = ['--postgres', PG_URL, '--postgres-schema', schema, '--redis', REDIS_URL, '--redis-prefix', `hub-cli-${tag}:`];
    const hubs = await Promise.all([startHubProcess(dir, args), startHubProcess(dir, args)]);
    try {
      const writer = await wsClient(hubs[0].url);
      const reader = await wsClient(hubs[1].url);
      expect(await reader.hello('cli-room')).toEqual(expect.objectContaining({ ok: true }));
      expect(await writer.hello('cli-room')).toEqual(expect.objectContaining({ ok: true }));
      await writer.send(opsFrame([counterOp(`cli-${tag}`)]));
      await reader.waitFor(() => reader.messages('op').length > 0, 'the op from the other hub', 10_000);
      expect(reader.messages('op')[0]!.seq).toBe(1);
      await Promise.all([writer.close(), reader.close()]);
    } finally {
      for (const hub of hubs) hub.child.kill('SIGTERM');
    }
    for (const hub of hubs) expect(await hub.exited).toBe(0);
  });
});
