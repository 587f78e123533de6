// N hub processes of the built CLI (dist/hub-cli.js) sharing one op log in PostgreSQL (a schema of
// the test's own) and one Redis bus (a key prefix of the test's own): the deployment the scale-out
// design describes, with real processes a test can kill -9.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { scrape } from '../../server/fixtures/hubFixture';
import { whenListening } from '../../server/fixtures/hubProcess';
import { isolate, PG_URL, REDIS_URL, type Isolation } from './services';

const cli = join(__dirname, '..', '..', '..', 'dist', 'hub-cli.js');

/** One running hub process. */
export interface ClusterHub {
  readonly child: ChildProcess;
  /** Its base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly exited: Promise<number | null>;
  /** Everything it printed to stderr (its JSON log lines). */
  stderr(): string;
}

export interface ClusterOptions {
  /** How many hub processes to start. */
  readonly hubs: number;
  /** Names the schema and key prefix, for whoever looks at them while the test runs. */
  readonly label: string;
  /** The PostgreSQL the hubs connect to (e.g. through a pausable proxy); default the shared one. */
  readonly pgUrl?: string;
  /** The Redis the hubs connect to (e.g. the test's own); default the shared one. */
  readonly redisUrl?: string;
  /** More CLI arguments for every hub. */
  readonly args?: readonly string[];
}

export interface Cluster {
  /** The test's schema and key prefix. */
  readonly isolation: Isolation;
  /** Every hub started so far, in start order (killed ones included; see {@link live}). */
  readonly hubs: ClusterHub[];
  /** The hubs still running. */
  live(): ClusterHub[];
  /** The running hubs' URLs, rotated to start at the `start`-th: clients given different rotations start on different hubs. */
  urls(start?: number): string[];
  /** Starts one more hub on the same log and bus. */
  add(): Promise<ClusterHub>;
  /** kill -9: no drain, no goodbye. */
  kill(hub: ClusterHub): Promise<void>;
  /** Stops every hub and drops the schema and the keys. */
  close(): Promise<void>;
}

function alive(hub: ClusterHub): boolean {
  return hub.child.exitCode === null && hub.child.signalCode === null;
}

/** Starts one hub process on the given log and bus; resolves once it prints where it listens. */
export function startClusterHub(pgUrl: string, redisUrl: string, isolation: Isolation, args: readonly string[] = []): Promise<ClusterHub> {
  const child = spawn(
    process.execPath,
    [
      cli,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--postgres',
      pgUrl,
      '--postgres-schema',
      isolation.schema,
      '--redis',
      redisUrl,
      '--redis-prefix',
      isolation.prefix,
      // No snapshot during a test: every client's seqs must then run 1..head without a gap.
      '--snapshot-every',
      '1000000',
      '--log-level',
      'warn',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return whenListening(child, exited, () => err, 20_000).then((url) => ({ child, url, exited, stderr: () => err }));
}

/** Starts a cluster of `options.hubs` hub processes on a fresh schema and key prefix. */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const isolation = await isolate(options.label);
  const pgUrl = options.pgUrl ?? PG_URL;
  const redisUrl = options.redisUrl ?? REDIS_URL;
  const hubs: ClusterHub[] = [];
  const add = async (): Promise<ClusterHub> => {
    const hub = await startClusterHub(pgUrl, redisUrl, isolation, options.args);
    hubs.push(hub);
    return hub;
  };
  try {
    // One after the other: the first one creates the log's tables in the schema.
    for (let i = 0; i < options.hubs; i++) await add();
  } catch (error) {
    for (const hub of hubs) hub.child.kill('SIGKILL');
    await isolation.drop();
    throw error;
  }
  const live = (): ClusterHub[] => hubs.filter(alive);
  return {
    isolation,
    hubs,
    live,
    urls(start = 0) {
      const urls = live().map((hub) => hub.url);
      const from = ((start % urls.length) + urls.length) % urls.length;
      return [...urls.slice(from), ...urls.slice(0, from)];
    },
    add,
    async kill(hub) {
      if (!alive(hub)) return;
      hub.child.kill('SIGKILL');
      await hub.exited;
    },
    async close() {
      await Promise.all(
        hubs.filter(alive).map(async (hub) => {
          hub.child.kill('SIGKILL');
          await hub.exited;
        }),
      );
      await isolation.drop();
    },
  };
}

/** Answers `GET /readyz` of a hub: its status code. */
export async function readyz(hub: ClusterHub): Promise<number> {
  const response = await fetch(`${hub.url}/readyz`);
  await response.text();
  return response.status;
}

/** Polls `/readyz` of every hub of the cluster until all answer `status` (or 15 s passed); returns the last answers. */
export async function readyzOfAll(cluster: Cluster, status: number, timeoutMs = 15_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const codes = await Promise.all(cluster.live().map(readyz));
    if (codes.every((code) => code === status) || Date.now() > deadline) return codes;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One metric (without labels) of every running hub, from its `/metrics`; 0 when a hub does not report it. */
export async function metricOfAll(cluster: Cluster, name: string): Promise<number[]> {
  return Promise.all(cluster.live().map(async (hub) => (await scrape(hub.url)).get(name) ?? 0));
}

/** Polls every hub's `rxsync_hub_bus_connected` until all report `value` (or 15 s passed); returns the last readings. */
export async function busConnectedOfAll(cluster: Cluster, value: 0 | 1, timeoutMs = 15_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const readings = await metricOfAll(cluster, 'rxsync_hub_bus_connected');
    if (readings.every((reading) => reading === value) || Date.now() > deadline) return readings;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
