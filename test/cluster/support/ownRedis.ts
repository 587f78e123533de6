// A redis-server of the test's own, on a free port, that the test may kill and start again. The
// shared Redis is never stopped: tests that restart Redis use one of these.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../transports/support/wait';
import { redisCommand } from './resp';

export interface OwnRedis {
  readonly url: string;
  /** Kills the server with SIGKILL (nothing is kept: it runs without persistence). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty; resolves once it answers PING. */
  start(): Promise<void>;
  /** Kills it for good. */
  stop(): Promise<void>;
}

/** Starts `redis-server` on a free port of 127.0.0.1 with no persistence; resolves once it answers. */
export async function ownRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stderr = '';
  const start = async (): Promise<void> => {
    const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    started.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    started.on('error', (error) => (stderr += `cannot run redis-server: ${error.message}`));
    child = started;
    exited = new Promise((resolve) => started.once('exit', () => resolve()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (started.exitCode !== null || stderr.startsWith('cannot run'))
        throw new Error(`redis-server exited with ${started.exitCode}: ${stderr}`);
      if ((await redisCommand(url, ['PING'], 500).catch(() => undefined)) === 'PONG') return;
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within 10 s: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const kill = async (): Promise<void> => {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url, kill, start, stop: kill };
}
