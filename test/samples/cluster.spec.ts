// The cluster sample (`npm run cluster`): three hub processes on the real PostgreSQL and Redis
// behind the round-robin TCP proxy. An op written through the proxy reaches clients on every hub;
// a killed hub is skipped by the proxy; the terminal clients of the README see each other.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { counterOp, opsFrame } from '../server/fixtures/hubFixture';
import { wsClient, type RawClient } from '../server/fixtures/rawClients';

const root = join(__dirname, '..', '..');
const PG_URL = process.env['RXSYNC_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env['RXSYNC_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

jest.setTimeout(60_000);

interface Cluster {
  readonly child: ChildProcess;
  readonly hubs: { url: string; pid: number }[];
  readonly proxy: string;
  output(): string;
}

/** Runs samples/cluster/start.mjs on free ports; resolves once it printed `ready`. */
function startCluster(schema: string, prefix: string): Promise<Cluster> {
  const args = ['--port', '0', '--postgres', PG_URL, '--postgres-schema', schema, '--redis', REDIS_URL, '--redis-prefix', prefix];
  const child = spawn(process.execPath, [join(root, 'samples', 'cluster', 'start.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error(`the cluster did not start:\n${out}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`the cluster exited with ${code}:\n${out}`)));
    child.stdout!.on('data', () => {
      if (!/^ready$/m.test(out)) return;
      clearTimeout(guard);
      const hubs = [...out.matchAll(/^hub \d+ {2}ws:\/\/([^/\s]+)\/ws {2}\(pid (\d+)\)$/gm)].map((m) => ({
        url: `http://${m[1]}`,
        pid: Number(m[2]),
      }));
      const proxy = /^proxy {2}ws:\/\/([^/\s]+)\/ws/m.exec(out);
      resolve({ child, hubs, proxy: `http://${proxy![1]}`, output: () => out });
    });
  });
}

/** Runs the README's terminal client against `url` until `seen` matches its output. */
function terminalClient(url: string, name: string, room: string): { child: ChildProcess; output(): string } {
  const child = spawn(
    process.execPath,
    [join(root, 'samples', 'cluster', 'client.mjs'), `${url.replace(/^http/, 'ws')}/ws`, '--name', name, '--room', room, '--every', '200'],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return { child, output: () => out };
}

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the cluster sample', () => {
  const tag = randomBytes(4).toString('hex');
  const schema = `cluster_sample_${tag}`;
  let cluster: Cluster | undefined;
  const clients: RawClient[] = [];
  const terminals: ChildProcess[] = [];

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    for (const t of terminals) t.kill('SIGKILL');
    if (cluster !== undefined && cluster.child.exitCode === null) {
      const exited = new Promise((resolve) => cluster!.child.once('exit', resolve));
      cluster.child.kill('SIGTERM');
      await exited;
    }
    const db = new pg.Client({ connectionString: PG_URL });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.end();
  });

  it('serves one room from three hubs: ops written through the proxy reach every hub, a dead hub is skipped, Ctrl-C stops all', async () => {
    cluster = await startCluster(schema, `cluster-sample-${tag}:`);
    expect(cluster.hubs).toHaveLength(3);
    const room = 'smoke';

    // One reader on each hub, directly; the writer through the proxy.
    const readers = await Promise.all(cluster.hubs.map((hub) => wsClient(hub.url)));
    clients.push(...readers);
    for (const reader of readers) expect(await reader.hello(room)).toEqual(expect.objectContaining({ ok: true }));
    const writer = await wsClient(cluster.proxy);
    clients.push(writer);
    expect(await writer.hello(room)).toEqual(expect.objectContaining({ ok: true }));
    await writer.send(opsFrame([counterOp(`w-${tag}-1`), counterOp(`w-${tag}-2`)]));
    for (const [i, reader] of readers.entries())
      await reader.waitFor(() => reader.messages('op').length === 2, `both ops at the reader on hub ${i + 1}`, 15_000);
    // Once each, in seq order, the same seqs everywhere.
    const seqs = readers.map((r) => r.messages('op').map((m) => m.seq));
    expect(seqs[0]).toEqual([1, 2]);
    expect(seqs[1]).toEqual(seqs[0]);
    expect(seqs[2]).toEqual(seqs[0]);

    // Kill hub 2: every new connection through the proxy still lands on a live hub.
    process.kill(cluster.hubs[1]!.pid, 'SIGKILL');
    await until(() => cluster!.output().includes('hub 2 exited'), 'the sample to report the dead hub');
    for (let i = 0; i < 4; i++) {
      const late = await wsClient(cluster.proxy);
      clients.push(late);
      expect(await late.hello(room)).toEqual(expect.objectContaining({ ok: true }));
    }

    // The README's terminal clients, both through the proxy, see each other's counters.
    const ann = terminalClient(cluster.proxy, 'ann', `${room}-terminal`);
    const bob = terminalClient(cluster.proxy, 'bob', `${room}-terminal`);
    terminals.push(ann.child, bob.child);
    await until(() => /ann=\d+ {2}bob=\d+/.test(ann.output()) && /ann=\d+ {2}bob=\d+/.test(bob.output()), 'ann and bob to see each other');
    ann.child.kill('SIGTERM');
    bob.child.kill('SIGTERM');

    const exited = new Promise<number | null>((resolve) => cluster!.child.once('exit', resolve));
    cluster.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // The hubs that were up were stopped with it.
    for (const hub of [cluster.hubs[0]!, cluster.hubs[2]!]) expect(() => process.kill(hub.pid, 0)).toThrow();
  });
});
