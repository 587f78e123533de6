import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seed, seededRandom } from '../support/fc.js';

/**
 * An outbox on encryptedStorage over fileStorage, killed with SIGKILL while queueing: the folder
 * holds no plaintext; a process with the wrong key reports E_DECRYPT and delivers nothing; the
 * right key then delivers every op that was reported queued, once, in order.
 */
const TRIALS = Number(process.env['KILL_TRIALS'] ?? (process.env['FC_RUNS'] ? 30 : 5));
const OPS = 40;
const fixture = join(__dirname, 'fixtures', 'encryptedOutboxChild.mjs');

function run(args: string[], killAfterQueued?: number): Promise<{ code: number | null; lines: string[] }> {
  const child = spawn(process.execPath, [fixture, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    if (killAfterQueued !== undefined && lines.filter((l) => l.startsWith('queued ')).length >= killAfterQueued) {
      child.kill('SIGKILL');
    }
  });
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) console.log(`child ${args[0]} exited ${code}: ${stderr}`);
      resolve({ code, lines });
    }),
  );
}

const numbers = (lines: string[], prefix: string): number[] =>
  lines.filter((l) => l.startsWith(prefix)).map((l) => Number(l.slice(prefix.length)));

describe(`encrypted outbox under kill -9 (${TRIALS} trials, seed ${seed})`, () => {
  it('no plaintext on disk; a wrong key reports E_DECRYPT and sends nothing; the right key then delivers every queued op once, in order', async () => {
    const random = seededRandom(seed);
    let queuedTotal = 0;
    let sentTotal = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const dir = mkdtempSync(join(tmpdir(), 'rxsync-encrypted-kill-'));
      try {
        const killAt = 1 + Math.floor(random() * OPS);
        const writer = await run(['enqueue', dir, 'right secret of the kill test', String(OPS)], killAt);
        const queued = numbers(writer.lines, 'queued ');
        expect(queued.length).toBeGreaterThanOrEqual(Math.min(killAt, OPS));

        const raw = readdirSync(dir)
          .map((file) => readFileSync(join(dir, file), 'utf8'))
          .join('\n');
        for (const marker of ['plaintext-marker', 'Grüße', '日本語', 'apply', 'constructor']) expect(raw).not.toContain(marker);

        const wrong = await run(['replay', dir, 'wrong secret of the kill test']);
        expect(wrong.code).toBe(0);
        expect(wrong.lines).toEqual(['failed E_DECRYPT']);

        const right = await run(['replay', dir, 'right secret of the kill test']);
        expect(right.code).toBe(0);
        expect(right.lines[right.lines.length - 1]).toBe('drained');
        const sent = numbers(right.lines, 'sent ');
        expect(queued.filter((n) => !sent.includes(n))).toEqual([]); // nothing reported queued is lost
        expect(new Set(sent).size).toBe(sent.length); // nothing twice
        expect(sent).toEqual([...sent].sort((a, b) => a - b)); // in queue order
        queuedTotal += queued.length;
        sentTotal += sent.length;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    console.log(`encrypted kill -9 trials: ${TRIALS}; reported queued ${queuedTotal}, delivered after reopening ${sentTotal}`);
  }, 120_000);
});
