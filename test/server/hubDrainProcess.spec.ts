import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HubOp } from '../../lib/protocol/hubMessages.js';
import { seed, seededRandom } from '../support/fc.js';
import { startHubProcess, type HubProcess } from './fixtures/hubProcess.js';
import { opIds, wsClient } from './fixtures/rawClients.js';
import { PipeliningWriter } from './fixtures/pipeliningWriter.js';

const ROOM = 'drained';
const WRITERS = 20;

describe(`rxsync-hub drain on SIGTERM (seed ${seed})`, () => {
  let dir: string;
  let hub: HubProcess | undefined;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rxsync-hub-drain-'))));
  afterEach(async () => {
    if (hub !== undefined && hub.child.exitCode === null) {
      hub.child.kill('SIGKILL');
      await hub.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 under load, closes every client with 1012, and a restarted hub has every acked op (nothing lost)', async () => {
    const random = seededRandom(seed);
    const writers = Array.from({ length: WRITERS }, (_, i) => new PipeliningWriter(ROOM, opIds(`d${i}`), random, 12));
    hub = await startHubProcess(dir, ['--snapshot-every', '1000000', '--drain-deadline', '5000']);
    await Promise.all(writers.map((w) => w.start(hub!.url)));
    const acks = (): number => writers.reduce((n, w) => n + w.acked.size, 0);
    const target = 300 + Math.floor(random() * 300);
    await new Promise<void>((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error(`only ${acks()} of ${target} acks`)), 15_000);
      const check = setInterval(() => {
        if (acks() < target) return;
        clearInterval(check);
        clearTimeout(guard);
        resolve();
      }, 1);
    });
    const inFlight = writers.reduce((n, w) => n + w.unacked.size, 0);
    hub.child.kill('SIGTERM');
    expect(await hub.exited).toBe(0);
    await Promise.all(writers.map((w) => w.whenClosed()));
    // Told to reconnect at once, not cut: a drain, not a crash.
    expect(writers.map((w) => w.closeCode)).toEqual(writers.map(() => 1012));
    const lines = hub
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['stopping', 'draining', 'drained']));
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    const ackedBefore = writers.flatMap((w) => [...w.acked]);

    // Restart on the same data: the writers reconnect and resend what was not acked.
    hub = await startHubProcess(dir, ['--snapshot-every', '1000000']);
    await Promise.all(writers.map((w) => w.start(hub!.url)));
    await Promise.all(writers.map((w) => w.drain()));
    const reader = await wsClient(hub.url);
    await reader.hello(ROOM, { lastSeq: 0 });
    const head = reader.messages('welcome')[0]!.data['head'] as number;
    await reader.waitFor(() => reader.messages('op').length >= head, `replay of ${head} ops`, 15_000);
    const ids = reader.messages('op').map((m) => (m.data['op'] as HubOp).id);
    const logged = new Set(ids);
    console.log(
      `SIGTERM drain: ${inFlight} ops in flight at the signal, ${ackedBefore.length} acked before, head ${head} after the resends`,
    );
    expect(ackedBefore.filter((id) => !logged.has(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    // Every op any writer ever sent is there once: the unacked ones came back with the resends.
    expect(logged.size).toBe(writers.reduce((n, w) => n + w.acked.size, 0));
    await reader.close();
    hub.child.kill('SIGTERM');
    expect(await hub.exited).toBe(0);
  }, 60_000);
});
