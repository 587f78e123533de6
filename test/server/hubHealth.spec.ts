import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { openSqliteLog } from '../../server/sqliteLog.js';
import { gated, type GatedLog } from './fixtures/gatedSqliteLog.js';
import { counterOp, opsFrame, startHub, type StartedHub } from './fixtures/hubFixture.js';
import { opIds, wsClient } from './fixtures/rawClients.js';

async function status(url: string, path: string): Promise<{ code: number; body: unknown }> {
  const response = await fetch(`${url}${path}`);
  return { code: response.status, body: JSON.parse(await response.text()) };
}

/** A pino logger writing JSON lines into `lines`. */
function capturedLogger(lines: Record<string, unknown>[]): ReturnType<typeof pino> {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return pino({ level: 'debug' }, sink);
}

describe('hub health and logs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rxsync-hub-health-'));
  const nextId = opIds('health');
  let started: StartedHub | undefined;
  let log: GatedLog;
  const lines: Record<string, unknown>[] = [];
  beforeEach(async () => {
    lines.length = 0;
    log = gated(await openSqliteLog({ path: join(dir, `${nextId()}.db`) }));
    started = await startHub({ log, logger: capturedLogger(lines) });
  });
  afterEach(() => started?.hub.close());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers /healthz and /readyz with 200 while the hub takes connections and its log is writable', async () => {
    const { url } = started!;
    expect(await status(url, '/healthz')).toEqual({ code: 200, body: { status: 'live' } });
    expect(await status(url, '/readyz')).toEqual({ code: 200, body: { status: 'ready' } });
    const response = await fetch(`${url}/readyz`);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('says not ready (503) once a log write failed, and ready again once a write succeeds; the failure is logged', async () => {
    const { url, hub } = started!;
    const writer = await wsClient(url);
    await writer.hello('health');
    log.unwritable = true;
    const lost = counterOp(nextId());
    await writer.send(opsFrame([lost]));
    await writer.waitFor(() => writer.ended !== undefined, 'the writer closed');
    expect(writer.ended).toEqual({ code: 1011 });
    expect(writer.messages('ack')).toEqual([]);
    expect(await status(url, '/readyz')).toEqual({ code: 503, body: { status: 'log-failing' } });
    // The process is up: liveness stays 200, so nothing restarts a hub whose disk is the problem.
    expect(await status(url, '/healthz')).toEqual({ code: 200, body: { status: 'live' } });
    // onError was not given: the error went to the logger, not nowhere.
    const errors = lines.filter((line) => line['level'] === 50);
    expect(errors).toEqual([
      expect.objectContaining({ msg: 'hub error', err: expect.objectContaining({ message: 'attempt to write a readonly database' }) }),
    ]);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 40, msg: 'connection closed by a limit', code: 'E_LOG_WRITE', transport: 'ws' }),
    );

    log.unwritable = false;
    const again = await wsClient(url);
    await again.hello('health');
    await again.send(opsFrame([lost]));
    await again.waitFor(() => again.messages('ack').length === 1, 'acked once the log is writable');
    expect(await status(url, '/readyz')).toEqual({ code: 200, body: { status: 'ready' } });
    expect(await hub.head('health')).toBe(1);
    await again.close();
  });

  it('logs errors by default (no logger, no onError): JSON lines on stderr, the log write failure at level error', async () => {
    const child = spawn(
      process.execPath,
      [join(__dirname, '..', 'transports', 'support', 'runTs.cjs'), join(__dirname, 'fixtures', 'defaultLoggerHub.ts')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.trim());
        });
        child.on('exit', () => reject(new Error(`the hub exited: ${stderr}`)));
      });
      const writer = await wsClient(url);
      await writer.hello('default-logger');
      await writer.send(opsFrame([counterOp(nextId())]));
      await writer.waitFor(() => writer.ended !== undefined, 'the writer closed');
      expect(writer.ended).toEqual({ code: 1011 });
      const errorLine = async (): Promise<boolean> => stderr.includes('"level":50');
      for (let i = 0; i < 200 && !(await errorLine()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const logged = stderr
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { level: number; msg: string; name?: string; err?: { message: string } });
    expect(logged).toContainEqual(expect.objectContaining({ level: 30, msg: 'listening', name: 'rxsync-hub' }));
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: 'hub error',
        err: expect.objectContaining({ message: 'attempt to write a readonly database' }),
      }),
    );
  }, 30_000);

  it('logs to a pino logger given as `logger`: listening, and connections a limit closed at warn', async () => {
    await started!.hub.close();
    started = await startHub({ logger: capturedLogger(lines), limits: { messagesPerSecond: 0.001, messageBurst: 2 } });
    expect(lines).toContainEqual(expect.objectContaining({ level: 30, msg: 'listening', url: started.url }));
    const client = await wsClient(started.url);
    await client.hello('logged');
    await client.send({ v: 1, type: 'ping' });
    await client.send({ v: 1, type: 'ping' });
    await client.waitFor(() => client.ended !== undefined, 'closed for its rate');
    await client.waitFor(() => lines.some((l) => l['code'] === 'E_RATE_LIMITED'), 'the close logged');
    expect(lines).toContainEqual(expect.objectContaining({ level: 40, code: 'E_RATE_LIMITED', room: 'logged', transport: 'ws' }));
  });
});
