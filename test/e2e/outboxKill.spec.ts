import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { seed, seededRandom } from '../support/fc.js';

/**
 * Nothing lost, nothing twice: a child process queues ops into an outbox on fileStorage and is
 * killed with SIGKILL at a random point — while enqueueing, persisting, sending, after the server
 * applied an op but before the ack reached the client, or while dequeuing. A fresh process then
 * replays. The server applies each Idempotency-Key once and records payloads.
 */
const TRIALS = Number(process.env['KILL_TRIALS'] ?? (process.env['FC_RUNS'] ? 100 : 20));
const OPS = 30;
const fixture = join(__dirname, 'fixtures', 'outboxChild.mjs');

interface Applied {
  trial: number;
  i: number;
}

function startServer(onApply: (res: ServerResponse, payload: Applied) => boolean) {
  const applied: Applied[] = [];
  const keys = new Set<string>();
  let receipts = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      receipts++;
      const key = String(req.headers['idempotency-key']);
      const payload = JSON.parse(body) as Applied;
      if (!keys.has(key)) {
        keys.add(key);
        applied.push(payload);
      }
      // The hook may hold the answer back (the test kills the client meanwhile).
      if (onApply(res, payload)) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  return { server, applied, receipts: () => receipts };
}

function run(args: string[]): { child: ChildProcess; lines: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [fixture, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

describe(`outbox under kill -9 (${TRIALS} trials, seed ${seed})`, () => {
  it('every op reported queued is applied exactly once, in order; none twice', async () => {
    const random = seededRandom(seed);
    let killOnApply: { at: number; kill: () => void } | undefined;
    let appliedThisTrial = 0;
    const { server, applied, receipts } = startServer((res, payload) => {
      appliedThisTrial++;
      if (killOnApply !== undefined && appliedThisTrial === killOnApply.at) {
        // Applied, but the ack is never sent: the client dies waiting for it.
        const { kill } = killOnApply;
        killOnApply = undefined;
        kill();
        setTimeout(() => res.destroy(), 5);
        void payload;
        return true;
      }
      return false;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ops`;
    const queued = new Set<string>();
    const points = { timer: 0, afterApplyBeforeAck: 0 };
    try {
      for (let trial = 0; trial < TRIALS; trial++) {
        const dir = mkdtempSync(join(tmpdir(), 'rxsync-kill-'));
        appliedThisTrial = 0;
        const writer = run(['enqueue', dir, url, String(trial), String(OPS)]);
        const kill = () => writer.child.kill('SIGKILL');
        if (random() < 0.3) {
          points.afterApplyBeforeAck++;
          killOnApply = { at: 1 + Math.floor(random() * OPS), kill };
        } else {
          points.timer++;
          // Child start-up is ~100 ms; kill somewhere in its working life.
          setTimeout(kill, 60 + Math.floor(random() * 200));
        }
        await writer.exited;
        killOnApply = undefined;
        writer.lines.filter((l) => l.startsWith('queued ')).forEach((l) => queued.add(l.slice(7)));

        const replayer = run(['replay', dir, url]);
        const code = await replayer.exited;
        expect(code).toBe(0);
        expect(replayer.lines).toContain('drained');
        rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      server.close();
    }

    const counts = new Map<string, number>();
    for (const a of applied) counts.set(`${a.trial}:${a.i}`, (counts.get(`${a.trial}:${a.i}`) ?? 0) + 1);
    const lost = [...queued].filter((id) => !counts.has(id));
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    // Within a trial ops are applied in queue order.
    const outOfOrder = applied.filter((a, k) => k > 0 && applied[k - 1]!.trial === a.trial && applied[k - 1]!.i >= a.i);
    console.log(
      `kill -9 trials: ${TRIALS} (timer ${points.timer}, after-apply-before-ack ${points.afterApplyBeforeAck}); ` +
        `queued ${queued.size}, applied ${applied.length}, server receipts ${receipts()}; lost ${lost.length}, duplicated ${duplicated.length}, out of order ${outOfOrder.length}`,
    );
    expect(queued.size).toBeGreaterThan(0);
    expect(lost).toEqual([]);
    expect(duplicated).toEqual([]);
    expect(outOfOrder).toEqual([]);
  }, 600_000);
});
