import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { seed, seededRandom } from '../support/fc.js';

/**
 * Several processes, one outbox folder: three processes queue bursts into outboxes on one
 * fileStorage folder; two of them are killed with SIGKILL mid-burst (leader or not). The
 * survivor, then a fresh process, deliver every op any of them reported queued: none lost, none
 * applied twice. The server applies each Idempotency-Key once and counts every receipt.
 */
const TRIALS = Number(process.env['KILL_TRIALS'] ?? (process.env['FC_RUNS'] ? 30 : 6));
const OPS = 40;
const fixture = join(__dirname, 'fixtures', 'sharedOutboxChild.mjs');

/** Runs the fixture; `killAfter` = SIGKILL it once it printed that many `queued` lines (mid-burst). */
function run(args: string[], killAfter?: number): { child: ChildProcess; lines: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [fixture, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    if (killAfter !== undefined && lines.filter((l) => l.startsWith('queued ')).length >= killAfter) child.kill('SIGKILL');
  });
  child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

describe(`three processes on one outbox folder, two killed (${TRIALS} trials, seed ${seed})`, () => {
  it('every op any process reported queued is applied exactly once', async () => {
    const random = seededRandom(seed);
    // The server applies each idempotency key once, and counts every receipt.
    const receiptsByKey = new Map<string, number>();
    const keysByOp = new Map<string, Set<string>>(); // op label → idempotency keys it came with
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const key = String(req.headers['idempotency-key']);
        const { op } = JSON.parse(body) as { op: string };
        receiptsByKey.set(key, (receiptsByKey.get(key) ?? 0) + 1);
        keysByOp.set(op, (keysByOp.get(op) ?? new Set()).add(key));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ op }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ops`;
    const queued = new Set<string>();
    try {
      for (let trial = 0; trial < TRIALS; trial++) {
        const dir = mkdtempSync(join(tmpdir(), 'rxsync-shared-'));
        const survivor = Math.floor(random() * 3);
        // The killed ones die somewhere in their burst: after 1 to OPS - 1 ops were reported queued.
        const writers = ['a', 'b', 'c'].map((name, i) =>
          run(['enqueue', dir, url, `${trial}${name}`, String(OPS)], i === survivor ? undefined : 1 + Math.floor(random() * (OPS - 1))),
        );
        const codes = await Promise.all(writers.map((w) => w.exited));
        expect(codes[survivor]).toBe(0);
        for (const w of writers) w.lines.filter((l) => l.startsWith('queued ')).forEach((l) => queued.add(l.slice(7)));

        const replayer = run(['replay', dir, url]);
        expect(await replayer.exited).toBe(0);
        expect(replayer.lines).toContain('drained');
        rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      server.close();
    }

    const lost = [...queued].filter((op) => !keysByOp.has(op));
    // Applied twice = one op under two idempotency keys (the server cannot tell them apart).
    const duplicated = [...keysByOp.values()].filter((keys) => keys.size > 1).length;
    const receipts = [...receiptsByKey.values()].reduce((a, b) => a + b, 0);
    const sentAgain = [...receiptsByKey.values()].filter((n) => n > 1).length;
    console.log(
      `shared outbox, 3 processes on one folder, 2 killed with SIGKILL: ${TRIALS} trials; queued ${queued.size}, ` +
        `applied ${keysByOp.size}, server receipts ${receipts} (ops sent more than once ${sentAgain}); ` +
        `lost ${lost.length}, duplicated ${duplicated}`,
    );
    expect(queued.size).toBeGreaterThan(0);
    expect(lost).toEqual([]);
    expect(duplicated).toBe(0);
  }, 600_000);
});
