import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HubOp } from '../../lib/protocol/hubMessages.js';
import { seed, seededRandom } from '../support/fc.js';
import { counterOp, opsFrame } from './fixtures/hubFixture.js';
import { startHubProcess, type HubProcess } from './fixtures/hubProcess.js';
import { opIds, wsClient, type RawClient } from './fixtures/rawClients.js';

const ROOM = 'drained';
const WRITERS = 20;

/**
 * A writer that keeps messages in flight (like a pipelining outbox), remembers which op ids the hub
 * acked, and how its connection was closed. After the close it resends whatever was not acked.
 */
class Writer {
  readonly acked = new Set<string>();
  readonly unacked = new Map<string, HubOp>();
  closeCode: number | undefined;
  private client: RawClient | undefined;
  private stopped = false;

  constructor(
    private readonly nextId: () => string,
    private readonly random: () => number,
  ) {}

  async start(url: string): Promise<void> {
    this.stopped = false;
    this.closeCode = undefined;
    const client = await wsClient(url);
    this.client = client;
    let seen = 0;
    client.events.on('change', () => {
      for (; seen < client.received.length; seen++) {
        const frame = client.received[seen]!;
        if (frame.data?.kind === 'ack') {
          for (const id of frame.data['ids'] as string[]) {
            this.unacked.delete(id);
            this.acked.add(id);
          }
        }
      }
      if (client.ended !== undefined) this.closeCode = client.ended.code;
      else if (!this.stopped && this.unacked.size < 12) this.sendMore();
    });
    await client.hello(ROOM);
    if (this.unacked.size > 0) await client.send(opsFrame([...this.unacked.values()]));
    this.sendMore();
  }

  private sendMore(): void {
    const ops = Array.from({ length: 1 + Math.floor(this.random() * 4) }, () => counterOp(this.nextId()));
    for (const op of ops) this.unacked.set(op.id, op);
    void this.client!.send(opsFrame(ops));
  }

  async settle(): Promise<void> {
    this.stopped = true;
    await this.client!.waitFor(() => this.unacked.size === 0, 'every op acked', 15_000);
    await this.client!.close();
  }

  whenClosed(): Promise<void> {
    return this.client!.waitFor(() => this.client!.ended !== undefined, 'closed by the hub', 15_000);
  }
}

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
    const writers = Array.from({ length: WRITERS }, (_, i) => new Writer(opIds(`d${i}`), random));
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
    await Promise.all(writers.map((w) => w.settle()));
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
