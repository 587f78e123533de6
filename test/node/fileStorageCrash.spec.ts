// kill -9 trials: a child process writes through the built `rxsync/node` fileStorage and is
// killed at a random moment; a fresh fileStorage on the same folder must then read every key as
// its old or its new value, whole, and every batch as all-or-nothing.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fileStorage } from '../../node/fileStorage';
import { seed, seededRandom } from '../support/fc';

const dist = resolve(__dirname, '../../dist'); // built once by the jest global setup
const deep = process.env['FC_RUNS'] !== undefined && process.env['FC_RUNS'] !== '';
const trials = Number(process.env['CRASH_TRIALS'] ?? (deep ? 100 : 20));
const group = ['g0', 'g1', 'g2', 'g3', 'g4'];

// Each round: one batch over the group (plus a key it sets on even rounds and removes on odd
// ones), then one single set. Values are large enough that a torn write would show.
const padLength = (round: number, key: string): number => 1000 + ((round * 31 + key.length) % 9) * 700;
const childSource = (entryUrl: string): string => `
import { fileStorage } from ${JSON.stringify(entryUrl)};
const [dir, startText] = process.argv.slice(2);
const storage = fileStorage(dir);
const group = ${JSON.stringify(group)};
const pad = (round, key) => 'x'.repeat(1000 + ((round * 31 + key.length) % 9) * 700);
process.stdout.write('start\\n');
for (let round = Number(startText); ; round++) {
  const writes = group.map((key) => ({ type: 'set', key, value: { round, pad: pad(round, key) } }));
  writes.push(round % 2 === 1 ? { type: 'remove', key: 'toggle' } : { type: 'set', key: 'toggle', value: { round } });
  await storage.batch(writes);
  process.stdout.write('batch ' + round + '\\n');
  await storage.set('solo', { round, pad: pad(round, 'solo') });
  process.stdout.write('solo ' + round + '\\n');
}
`;

/** Runs the child until `killAfterMs` past its start, then SIGKILLs it; returns the rounds it reported durable. */
function runAndKill(script: string, dir: string, start: number, killAfterMs: number): Promise<{ batch: number; solo: number }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, dir, String(start)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (out === '' && chunk.toString().startsWith('start')) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`child ended without being killed: ${err}`));
      const last = (kind: string): number =>
        Math.max(-1, ...[...out.matchAll(new RegExp(`^${kind} (\\d+)$`, 'gm'))].map((match) => Number(match[1])));
      resolvePromise({ batch: last('batch'), solo: last('solo') });
    });
  });
}

/**
 * Copies dist/ aside and checks the copy imports, so a rebuild started meanwhile (another jest
 * run's global setup empties dist/) cannot pull the package from under the child processes.
 */
async function snapshotBuild(to: string): Promise<string> {
  const entry = join(to, 'node.js');
  for (let attempt = 0; ; attempt++) {
    try {
      rmSync(to, { recursive: true, force: true });
      cpSync(dist, to, { recursive: true });
      execFileSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(entry).href)})`], {
        stdio: 'pipe',
      });
      return entry;
    } catch (err) {
      if (attempt >= 120) throw new Error('no usable dist/node.js: run `npm run build`', { cause: err });
      await new Promise((wait) => setTimeout(wait, 500));
    }
  }
}

type Entry = { round: number; pad: string };
const isWhole = (value: unknown, key: string): value is Entry =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Entry).round === 'number' &&
  (value as Entry).pad === 'x'.repeat(padLength((value as Entry).round, key));

describe('fileStorage under kill -9', () => {
  let work: string;
  let build: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'rxsync-crash-'));
    // The copy of dist/ stays inside the project so its imports (ws, rxjs…) resolve from node_modules.
    mkdirSync(join(dist, '..', '.tmp'), { recursive: true });
    build = mkdtempSync(join(dist, '..', '.tmp', 'crash-dist-'));
    const entry = await snapshotBuild(join(build, 'dist'));
    writeFileSync(join(work, 'writer.mjs'), childSource(pathToFileURL(entry).href));
  }, 90_000);
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(build, { recursive: true, force: true });
  });

  it(
    `keeps every key old-or-new and whole, and every batch all-or-nothing (${trials} trials, seed ${seed})`,
    async () => {
      const random = seededRandom(seed);
      const dir = join(work, 'data');
      let batchRound = -1; // the round every group key holds, -1 before any
      let soloRound = -1;
      const stats = { torn: 0, mixed: 0, lost: 0, journalsReplayed: 0, tempFilesLeft: 0, inFlightCommitted: 0 };
      for (let trial = 0; trial < trials; trial++) {
        const start = Math.max(batchRound, soloRound) + 1;
        const acked = await runAndKill(join(work, 'writer.mjs'), dir, start, Math.floor(random() * 60));
        const left = existsSync(dir) ? readdirSync(dir) : [];
        if (left.some((name) => name.endsWith('.journal'))) stats.journalsReplayed++;
        stats.tempFilesLeft += left.filter((name) => name.endsWith('.tmp')).length;

        const storage = fileStorage(dir); // a fresh process's view: replays, validates
        const values = await Promise.all(group.map((key) => storage.get(key)));
        const rounds = new Set<number>();
        values.forEach((value, i) => {
          if (value === undefined && batchRound < 0 && acked.batch < 0) return; // nothing written yet
          if (!isWhole(value, group[i]!)) stats.torn++;
          else rounds.add(value.round);
        });
        if (rounds.size > 1) stats.mixed++;
        const round = rounds.size === 1 ? [...rounds][0]! : batchRound;
        // Durable rounds must survive; at most the one in flight may also have landed.
        const durableBatch = Math.max(batchRound, acked.batch);
        if (round < durableBatch || round > durableBatch + 1) stats.lost++;
        if (round > durableBatch) stats.inFlightCommitted++;
        const toggle = await storage.get<{ round: number }>('toggle');
        if (round >= 0 && (round % 2 === 1 ? toggle !== undefined : toggle?.round !== round)) stats.mixed++;
        batchRound = Math.max(round, batchRound);

        const solo = await storage.get('solo');
        const durableSolo = Math.max(soloRound, acked.solo);
        if (solo !== undefined || durableSolo >= 0) {
          if (!isWhole(solo, 'solo')) stats.torn++;
          else if (solo.round < durableSolo) stats.lost++;
          else soloRound = solo.round;
        }
        expect(readdirSync(dir).filter((name) => !name.endsWith('.json'))).toEqual([]); // opening cleaned up
      }
      console.log(
        `fileStorage kill -9: ${trials} trials, last round ${batchRound}; torn ${stats.torn}, mixed batches ${stats.mixed}, ` +
          `lost ${stats.lost}; journals replayed ${stats.journalsReplayed}, in-flight batches that landed ${stats.inFlightCommitted}, ` +
          `temp files left by kills ${stats.tempFilesLeft} (seed ${seed})`,
      );
      expect(stats).toMatchObject({ torn: 0, mixed: 0, lost: 0 });
      expect(batchRound).toBeGreaterThan(0); // the trials did write
    },
    trials * 2000 + 10_000,
  );
});
