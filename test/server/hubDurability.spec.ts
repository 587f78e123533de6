import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HubOp } from '../../lib/protocol/hubMessages.js';
import { seed, seededRandom } from '../support/fc.js';
import { startHubProcess, type HubProcess } from './fixtures/hubProcess.js';
import { opIds, wsClient } from './fixtures/rawClients.js';
import { PipeliningWriter } from './fixtures/pipeliningWriter.js';

const ROOM = 'durable';
const WRITERS = 3;
const KILLS = Number(process.env['KILL_TRIALS'] ?? (process.env['FC_RUNS'] ? 10 : 3));

describe(`hub under kill -9 (${KILLS} kills, seed ${seed})`, () => {
  let dir: string;
  let hub: HubProcess | undefined;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rxsync-hub-kill-'))));
  afterEach(async () => {
    if (hub !== undefined && hub.child.exitCode === null) {
      hub.child.kill('SIGKILL');
      await hub.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acked op after a crash: seqs 1..head without gaps, each id once', async () => {
    const random = seededRandom(seed);
    const writers = Array.from({ length: WRITERS }, (_, i) => new PipeliningWriter(ROOM, opIds(`w${i}`), random, 20));
    let inFlightAtKills = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      hub = await startHubProcess(dir, ['--snapshot-every', '1000000']);
      await Promise.all(writers.map((w) => w.start(hub!.url)));
      // Kill somewhere in the stream: after a random number of further acks across all writers.
      const target = writers.reduce((n, w) => n + w.acked.size, 0) + 20 + Math.floor(random() * 200);
      await new Promise<void>((resolve, reject) => {
        const guard = setTimeout(() => {
          clearInterval(check);
          reject(new Error(`only ${writers.reduce((n, w) => n + w.acked.size, 0)} of ${target} acks`));
        }, 15_000);
        const check = setInterval(() => {
          if (writers.reduce((n, w) => n + w.acked.size, 0) >= target) {
            clearInterval(check);
            clearTimeout(guard);
            resolve();
          }
        }, 1);
      });
      hub.child.kill('SIGKILL');
      await hub.exited;
      writers.forEach((w) => w.stop());
      inFlightAtKills += writers.reduce((n, w) => n + w.unacked.size, 0);
    }

    // Restart on the same folder: the writers resend what was never acked, then a fresh reader replays.
    hub = await startHubProcess(dir, ['--snapshot-every', '1000000']);
    await Promise.all(writers.map((w) => w.start(hub!.url)));
    await Promise.all(writers.map((w) => w.drain()));
    const reader = await wsClient(hub.url);
    await reader.hello(ROOM, { lastSeq: 0 });
    const head = reader.messages('welcome')[0]!.data['head'] as number;
    await reader.waitFor(() => reader.messages('op').length >= head, `replay of ${head} ops`, 15_000);
    const replay = reader.messages('op');
    const ids = replay.map((m) => (m.data['op'] as HubOp).id);
    const acked = writers.flatMap((w) => [...w.acked]);

    console.log(`kill -9: ${KILLS} kills with ${inFlightAtKills} ops in flight in all; ${acked.length} acked, head ${head}`);
    expect(acked.length).toBeGreaterThan(KILLS * 20);
    expect(replay.map((m) => m.seq)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    expect(new Set(ids).size).toBe(ids.length);
    const logged = new Set(ids);
    expect(acked.filter((id) => !logged.has(id))).toEqual([]);
    await reader.close();
  }, 60_000);
});

describe('rxsync-hub command', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rxsync-hub-cli-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('checks tokens with --secret and stops cleanly on SIGTERM', async () => {
    const hub = await startHubProcess(dir, ['--secret', 'cli-test-secret-0123456789']);
    try {
      const anonymous = await wsClient(hub.url);
      expect(await anonymous.hello('r')).toEqual({ ok: false, status: 4401 });
      const metrics = await (await fetch(`${hub.url}/metrics`)).text();
      expect(metrics).toContain('rxsync_hub_rejects_total{code="E_UNAUTHORIZED"} 1');
    } finally {
      hub.child.kill('SIGTERM');
    }
    expect(await hub.exited).toBe(0);
    // stderr carries the JSON log lines: with a secret and a clean stop, nothing at warn or above.
    const lines = hub
      .stderr()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(lines.filter((line) => line.level >= 40)).toEqual([]);
    expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['listening', 'draining', 'drained']));
  });
});
