// Server killed (SIGKILL, a real child process) and restarted mid-stream: the app still receives
// every message exactly once, in order, because the client resumes from its last seq and dedupes.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Subscription } from 'rxjs';
import WebSocket from 'ws';
import { webSocket } from '../../transports/webSocket';
import { waitForChange } from './support/wait';

const TOTAL = Number(process.env['RESUME_TOTAL'] ?? (process.env['DEEP'] ? 100_000 : 10_000));
const KILLS = process.env['DEEP'] ? 5 : 2;

// Restarted servers resend 100 messages the client already has (at-least-once), so exactly-once
// delivery depends on the client's dedupe by seq, not only on the server's resume.
function startServer(port: number, headFile: string, overlap = 0): Promise<{ child: ChildProcess; port: number; head: number }> {
  const child = fork(
    join(__dirname, 'support', 'runTs.cjs'),
    [join(__dirname, 'support', 'streamServerProcess.ts'), String(port), headFile, String(TOTAL), String(overlap)],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('message', (message: { port: number; head: number }) => resolve({ child, port: message.port, head: message.head }));
    child.once('exit', (code) => reject(new Error(`server process exited early (${code})`)));
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('resume across a killed server', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let subscription: Subscription | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rxsync-resume-'));
  });
  afterEach(async () => {
    subscription?.unsubscribe();
    if (child !== undefined && child.exitCode === null && child.signalCode === null) await kill(child);
    rmSync(dir, { recursive: true, force: true });
  });

  it(`delivers all ${TOTAL} messages exactly once, in order, across ${KILLS} SIGKILLs`, async () => {
    const headFile = join(dir, 'head');
    let server = await startServer(0, headFile);
    child = server.child;
    const port = server.port;
    const transport = webSocket<{ n: number }>(`ws://127.0.0.1:${port}/ws`, { WebSocket, reconnect: { initialDelay: 20, maxDelay: 200 } });
    const events = new EventEmitter();
    const got: number[] = [];
    let ended = false;
    subscription = transport.messages$.subscribe({
      next: (message) => {
        got.push(message.n);
        events.emit('change');
      },
      error: () => (ended = true),
      complete: () => (ended = true),
    });
    const restartsSeen: number[] = [];
    for (let kill_ = 1; kill_ <= KILLS; kill_++) {
      const at = Math.floor((TOTAL * kill_) / (KILLS + 1));
      await waitForChange(events, () => got.length >= at, `${at} messages before kill ${kill_}`, 60_000);
      await kill(server.child);
      const before = got.length;
      server = await startServer(port, headFile, 100);
      child = server.child;
      restartsSeen.push(server.head);
      // The new process starts from the durable head, which is at least what the client has seen.
      expect(server.head).toBeGreaterThanOrEqual(before);
    }
    await waitForChange(events, () => got.length >= TOTAL, `all ${TOTAL} messages`, 120_000);
    expect(got.length).toBe(TOTAL);
    let inOrder = true;
    for (let i = 0; i < got.length; i++) if (got[i] !== i + 1) inOrder = false;
    expect(inOrder).toBe(true);
    expect(ended).toBe(false);
    expect(transport.cursor.lastSeq).toBe(TOTAL);
    expect(restartsSeen).toHaveLength(KILLS);
  }, 180_000);
});
