import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteLog } from '../../server/sqliteLog.js';
import { gated, type GatedLog } from './fixtures/gatedSqliteLog.js';
import { counterOp, opsFrame, startHub, type StartedHub } from './fixtures/hubFixture.js';
import { opIds, pollClient, sseClient, wsClient } from './fixtures/rawClients.js';

/** Resolves once `check` holds, yielding to I/O between tries; only a guard timeout. */
async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('hub drain', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rxsync-hub-drain-'));
  const nextId = opIds('drain');
  let started: StartedHub | undefined;
  let log: GatedLog;
  let path: string;
  beforeEach(async () => {
    path = join(dir, `${nextId()}.db`);
    log = gated(await openSqliteLog({ path }));
    started = await startHub({ log });
  });
  afterEach(async () => {
    log.release();
    await started?.hub.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses new connections, finishes the commit in flight and acks it, then closes every connection with 1012', async () => {
    const { url, hub } = started!;
    const writer = await wsClient(url);
    const watcher = await wsClient(url);
    const sse = await sseClient(url);
    const poller = pollClient(url, { pollEvery: 0 });
    for (const client of [writer, watcher, sse, poller]) expect(await client.hello('drain')).toEqual(expect.objectContaining({ ok: true }));

    log.hold();
    const inFlight = counterOp(nextId());
    await writer.send(opsFrame([inFlight]));
    await until(() => log.appendsStarted === 1, 'the commit to start');
    const drained = hub.drain({ deadline: 10_000 });

    // Stop accepting: not ready, new connections refused; the process is still live.
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    expect(JSON.parse(await (await fetch(`${url}/readyz`)).text())).toEqual({ status: 'draining' });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await expect(wsClient(url)).rejects.toThrow(/503/);
    const lateSse = await fetch(`${url}/sse?cid=late-sse&lastEventId=0`);
    expect(lateSse.status).toBe(503);
    expect(JSON.parse(await lateSse.text())).toEqual(expect.objectContaining({ code: 'E_HUB_DRAINING' }));
    const latePoll = await fetch(`${url}/send?cid=late-poll`, {
      method: 'POST',
      body: JSON.stringify({ v: 1, type: 'hello', lastSeq: 0, room: 'drain' }),
    });
    expect(latePoll.status).toBe(503);
    // An op sent while draining is not taken (never acked): its client resends it after reconnecting.
    const tooLate = counterOp(nextId());
    await writer.send(opsFrame([tooLate]));

    log.release();
    // A polling client hears of the drain on its next poll (the hub waits for it), not by finding the hub gone.
    for (let polls = 0; polls < 200 && poller.errors().length === 0; polls++) {
      await poller.poll();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await drained;
    expect(poller.errors().map((e) => e.code)).toEqual(['E_HUB_DRAINING']);
    // The commit in flight finished and was acked before the close; the late op was not.
    expect(writer.messages('ack').map((m) => m.data['ids'])).toEqual([[inFlight.id]]);
    expect(watcher.messages('op').map((m) => m.seq)).toEqual([1]);
    await until(() => [writer, watcher].every((c) => c.ended !== undefined), 'the sockets closed');
    expect([writer.ended, watcher.ended]).toEqual([{ code: 1012 }, { code: 1012 }]);
    expect(writer.errors().map((e) => e.code)).toEqual(['E_HUB_DRAINING']);
    await sse.waitFor(() => sse.ended !== undefined, 'the SSE stream ended');
    expect(sse.errors().map((e) => e.code)).toEqual(['E_HUB_DRAINING']);
    // The hub is closed now: nothing answers.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    await hub.close();

    // A restarted hub on the same data has the acked op; the writer's resend of the late op applies once.
    const reopened = await openSqliteLog({ path });
    const restarted = await startHub({ log: reopened });
    try {
      const back = await wsClient(restarted.url);
      await back.hello('drain', { lastSeq: 1 });
      await back.send(opsFrame([inFlight, tooLate]));
      await back.waitFor(() => back.messages('ack').length === 1, 'the resend acked');
      expect(back.messages('op').map((m) => (m.data['op'] as { id: string }).id)).toEqual([tooLate.id]);
      expect(await restarted.hub.value('drain', 'count')).toEqual({ type: 'pn-counter', value: 2 });
      await back.close();
    } finally {
      await restarted.hub.close();
    }
  });

  it('resolves at its deadline even when a commit never finishes; nothing of that commit was acked', async () => {
    const { url, hub } = started!;
    const writer = await wsClient(url);
    await writer.hello('stuck');
    log.hold();
    await writer.send(opsFrame([counterOp(nextId())]));
    await until(() => log.appendsStarted === 1, 'the commit to start');
    await hub.drain({ deadline: 200 });
    await writer.waitFor(() => writer.ended !== undefined, 'closed');
    expect([1012, 1001]).toContain(writer.ended?.code);
    expect(writer.messages('ack')).toEqual([]);
  });

  it('drains an idle hub at once and is idempotent', async () => {
    const { url, hub } = started!;
    const client = await wsClient(url);
    await client.hello('idle');
    const first = hub.drain();
    expect(hub.drain()).toBe(first);
    await first;
    await client.waitFor(() => client.ended !== undefined, 'closed');
    expect(client.ended).toEqual({ code: 1012 });
  });
});
