import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LiveMap } from '../../lib/live/index';
import { freePort } from '../transports/support/wait';
import { canonical, liveClient, until } from './support/liveClients';
import { sqliteTarget, type LiveTarget } from './support/liveTarget';
import { runNode } from './support/processes';
import { offlineRestartScenario } from './scenarios/offlineRestart';

const hubCli = join(__dirname, '..', '..', 'dist', 'hub-cli.js');

describe('a client edits offline, is killed, restarts and syncs', () => {
  let dir: string;
  let target: LiveTarget & { close(): Promise<void> };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxsync-restart-'));
    target = await sqliteTarget(dir);
  });

  afterAll(async () => {
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['websocket', 'sse'] as const)('every edit the app saw queued reaches the others (%s)', (via) =>
    offlineRestartScenario(target, `offline-${via}`, via, join(dir, `client-${via}`)),
  );
});

describe('the hub is killed with SIGKILL mid-stream and restarted on the same data', () => {
  it('keeps every acked op; clients resume with no gap and no duplicate', async () => {
    const data = mkdtempSync(join(tmpdir(), 'rxsync-hubkill-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const start = () => {
      const hubProcess = runNode(hubCli, ['--port', String(port), '--host', '127.0.0.1', '--data', data]);
      return hubProcess.line(/listening/).then(() => hubProcess);
    };
    let hubProcess = await start();
    const room = 'kill';
    const clients = (['websocket', 'sse', 'websocket'] as const).map((via) => liveClient(base, via, room));
    const docs: LiveMap[] = clients.map((c) => c.client.live({ room, doc: 'log', type: 'lww-map', transport: c.transport }));
    // Every op message each client received, by id: a duplicate delivery would show as a count of 2.
    const received = clients.map(() => new Map<string, number>());
    const spies = clients.map((c, i) =>
      c.transport.messages$.subscribe((m) => {
        const message = m as { kind?: string; op?: { id: string } };
        if (message.kind === 'op' && message.op) received[i]!.set(message.op.id, (received[i]!.get(message.op.id) ?? 0) + 1);
      }),
    );
    try {
      await until(() => docs.every((d) => d.status$.get().joined), 'all joined');
      const PER_CLIENT = 120;
      let killed = false;
      let killedAt = 0;
      const writers = docs.map(async (doc, c) => {
        for (let i = 0; i < PER_CLIENT; i++) {
          await doc.set(`c${c}-${i}`, i);
          if (c === 0 && i === 40 && !killed) {
            killed = true;
            killedAt = i + 1;
            hubProcess.child.kill('SIGKILL');
            await hubProcess.exited;
            hubProcess = await start();
          }
          if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        }
      });
      await Promise.all(writers);
      await Promise.all(docs.map((d) => d.synced()));
      await Promise.all(clients.map((c) => c.outbox.drained()));

      const all = docs.flatMap((_, c) => Array.from({ length: PER_CLIENT }, (__, i) => `c${c}-${i}`));
      // A fresh reader replays the whole log from the restarted hub.
      const reader = liveClient(base, 'websocket', room);
      const replay = new Map<string, number>();
      const readerSpy = reader.transport.messages$.subscribe((m) => {
        const message = m as { kind?: string; op?: { id: string } };
        if (message.kind === 'op' && message.op) replay.set(message.op.id, (replay.get(message.op.id) ?? 0) + 1);
      });
      const readerDoc = reader.client.live({ room, doc: 'log', type: 'lww-map', transport: reader.transport });
      await until(() => all.every((k) => k in readerDoc.get()), 'the restarted hub holds every edit');
      await until(() => docs.every((d) => all.every((k) => k in d.get())), 'every client holds every edit');
      expect(new Set(docs.map((d) => canonical(d.get())))).toEqual(new Set([canonical(readerDoc.get())]));
      console.log(
        `hub SIGKILLed after ${killedAt} acked edits of client 0; log after restart: ${replay.size} ops for ${all.length} edits; ` +
          `ops received twice by a client: ${received.reduce((n, counts) => n + [...counts.values()].filter((c) => c > 1).length, 0)}`,
      );
      // No duplicates: no client received an op twice, and the log holds each op once.
      for (const counts of [...received, replay]) expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
      // No gaps: every client saw every op the log holds.
      for (const counts of received) expect([...replay.keys()].filter((id) => !counts.has(id))).toEqual([]);
      readerSpy.unsubscribe();
      readerDoc.close();
      reader.close();
    } finally {
      spies.forEach((s) => s.unsubscribe());
      docs.forEach((d) => d.close());
      clients.forEach((c) => c.close());
      hubProcess.child.kill('SIGKILL');
      await hubProcess.exited;
      rmSync(data, { recursive: true, force: true });
    }
  }, 120_000);
});
