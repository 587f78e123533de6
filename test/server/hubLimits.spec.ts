import { counterOp, opsFrame, presenceFrame, scrape } from './fixtures/hubFixture.js';
import { useHubTestBed } from './fixtures/hubTestBed.js';
import { connect, opIds, pollClient, sseClient, wsClient } from './fixtures/rawClients.js';

/** Retries `check` until it holds, yielding to I/O between tries; only a guard timeout, no fixed sleep. */
async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('hub limits', () => {
  const nextId = opIds('limits');
  const { hubWith, track } = useHubTestBed();

  it('closes a WebSocket over the message rate with 4429; nothing of the refused frame or after it applies', async () => {
    // A burst of 5 frames and (practically) no refill: the hello and 4 op messages pass, the 5th is refused.
    const { hub, url } = await hubWith({ limits: { messagesPerSecond: 0.001, messageBurst: 5 } });
    const client = track(await wsClient(url));
    await client.hello('rate');
    const ops = Array.from({ length: 8 }, () => counterOp(nextId()));
    for (const op of ops) void client.send(opsFrame([op]));
    await client.waitFor(() => client.ended !== undefined, 'closed');
    expect(client.ended).toEqual({ code: 4429 });
    expect(client.errors().map((e) => e.code)).toEqual(['E_RATE_LIMITED']);
    await eventually(async () => (await hub.head('rate')) === 4, 'the 4 admitted ops to be written');
    expect(await hub.value('rate', 'count')).toEqual({ type: 'pn-counter', value: 4 });
    const replay = track(await wsClient(url));
    await replay.hello('rate');
    await replay.waitFor(() => replay.messages('op').length === 4, 'replay');
    expect(replay.messages('op').map((m) => (m.data['op'] as { id: string }).id)).toEqual(ops.slice(0, 4).map((o) => o.id));
    expect((await scrape(url)).get('rxsync_hub_rejects_total{code="E_RATE_LIMITED"}')).toBe(1);
  });

  it('answers a POST over the rate with 429 and ends the polling session', async () => {
    const { hub, url } = await hubWith({ limits: { messagesPerSecond: 0.001, messageBurst: 3 } });
    const client = pollClient(url, { pollEvery: 0 });
    expect(await client.hello('rate-poll')).toEqual(expect.objectContaining({ ok: true }));
    const lines = Array.from({ length: 5 }, () => JSON.stringify(opsFrame([counterOp(nextId())])));
    const response = await fetch(`${url}/send?cid=${client.cid}`, { method: 'POST', body: lines.join('\n') });
    expect(response.status).toBe(429);
    expect(JSON.parse(await response.text())).toEqual(expect.objectContaining({ type: 'error', code: 'E_RATE_LIMITED' }));
    expect(await client.poll()).toBe(404);
    await eventually(async () => (await hub.head('rate-poll')) === 2, 'the 2 admitted ops');
  });

  it('refuses a connection to a full room (4503 / 503) and admits one once a place is free', async () => {
    const { url } = await hubWith({ limits: { maxConnectionsPerRoom: 2 } });
    const a = track(await wsClient(url));
    const b = track(await sseClient(url));
    await a.hello('small');
    await b.hello('small');
    const c = track(await wsClient(url));
    expect(await c.hello('small')).toEqual({ ok: false, status: 4503 });
    expect(c.errors()[0]).toEqual(expect.objectContaining({ code: 'E_ROOM_FULL' }));
    const d = track(await sseClient(url));
    expect(await d.hello('small')).toEqual({ ok: false, status: 503 });
    const elsewhere = track(await wsClient(url));
    expect(await elsewhere.hello('other')).toEqual(expect.objectContaining({ ok: true }));
    await b.close();
    await a.waitFor(() => a.messages('left').length === 1, 'b left');
    const e = track(pollClient(url));
    expect(await e.hello('small')).toEqual(expect.objectContaining({ ok: true }));
    expect((await scrape(url)).get('rxsync_hub_rejects_total{code="E_ROOM_FULL"}')).toBe(2);
  });

  it('refuses a new room beyond maxRooms (E_HUB_FULL) until an empty room is unloaded', async () => {
    const { url } = await hubWith({ limits: { maxRooms: 2 }, unloadAfter: 20 });
    const a = track(await wsClient(url));
    const b = track(await wsClient(url));
    await a.hello('r1');
    await b.hello('r2');
    const c = track(await wsClient(url));
    expect(await c.hello('r3')).toEqual({ ok: false, status: 4503 });
    expect(c.errors()[0]).toEqual(expect.objectContaining({ code: 'E_HUB_FULL' }));
    expect((await scrape(url)).get('rxsync_hub_rooms')).toBe(2);
    await b.close();
    await eventually(async () => (await scrape(url)).get('rxsync_hub_rooms') === 1, 'r2 unloaded');
    const d = track(await wsClient(url));
    expect(await d.hello('r3')).toEqual(expect.objectContaining({ ok: true }));
  });

  it('refuses oversized presence, too many ops and oversized envelopes, keeping the connection', async () => {
    const { hub, url } = await hubWith({ limits: { maxPresenceBytes: 64, maxOpsPerMessage: 3, maxEnvelopeBytes: 100 } });
    const a = track(await wsClient(url));
    const b = track(await wsClient(url));
    await a.hello('e2e:sizes');
    await b.hello('e2e:sizes');
    await a.send(presenceFrame({ note: 'x'.repeat(100) }));
    await a.send(opsFrame(Array.from({ length: 4 }, () => ({ ...counterOp(nextId()), body: 'sealed' }))));
    const small = { ...counterOp(nextId()), body: 's'.repeat(100) };
    const big = { ...counterOp(nextId()), body: 's'.repeat(101) };
    await a.send(opsFrame([small, big]));
    await a.waitFor(() => a.errors().length === 2 && a.messages('reject').length === 1 && a.messages('ack').length === 1, 'refusals');
    expect(a.errors().map((e) => e.code)).toEqual(['E_TOO_LARGE', 'E_MESSAGE_INVALID']);
    expect(a.messages('reject')[0]!.data).toEqual(expect.objectContaining({ ids: [big.id], code: 'E_TOO_LARGE' }));
    expect(a.messages('ack')[0]!.data['ids']).toEqual([small.id]);
    expect(a.ended).toBeUndefined();
    expect(b.messages('peer')).toEqual([]);
    expect(await hub.head('e2e:sizes')).toBe(1);
  });

  it('closes a connection that sends no hello in time (4408)', async () => {
    const { url } = await hubWith({ limits: { helloTimeout: 100 } });
    const client = track(await wsClient(url));
    await client.waitFor(() => client.ended !== undefined, 'closed');
    expect(client.ended).toEqual({ code: 4408 });
    expect(client.errors().map((e) => e.code)).toEqual(['E_HELLO_TIMEOUT']);
  });

  it('drops a consumer whose unsent frames pass maxBufferedBytes; the others see it leave', async () => {
    const { url } = await hubWith({ limits: { maxBufferedBytes: 2000 } });
    const talker = track(await connect('ws', url));
    const stalled = pollClient(url, { pollEvery: 0 });
    await talker.hello('slow');
    await stalled.hello('slow');
    await talker.waitFor(() => talker.messages('peer').length === 1, 'stalled joined');
    for (let i = 0; i < 40 && talker.messages('left').length === 0; i++) {
      await talker.send(presenceFrame({ i, pad: 'p'.repeat(40) }));
    }
    await talker.waitFor(() => talker.messages('left').length === 1, 'the slow consumer was dropped');
    expect(await stalled.poll()).toBe(404);
    expect((await scrape(url)).get('rxsync_hub_rejects_total{code="E_SLOW_CONSUMER"}')).toBe(1);
  });
});
