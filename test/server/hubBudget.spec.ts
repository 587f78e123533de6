import { counterOp, opsFrame, presenceFrame, scrape } from './fixtures/hubFixture.js';
import { useHubTestBed } from './fixtures/hubTestBed.js';
import { opIds, pollClient, wsClient } from './fixtures/rawClients.js';

// The hub-wide limits: one outbound budget for every connection's unsent bytes, and a cap on
// inbound bytes in flight. (The memory test under 550 clients is hubMemory.spec.ts.)
describe('hub memory budgets', () => {
  const nextId = opIds('budget');
  const { hubWith, track } = useHubTestBed();

  it('cuts the connection with the largest queue once all queues together pass outboundBytes', async () => {
    // Each connection alone stays far under maxBufferedBytes: only the hub-wide budget can cut.
    const { url } = await hubWith({ limits: { outboundBytes: 3000, maxBufferedBytes: 1_000_000 } });
    const talker = track(await wsClient(url));
    const stalled = pollClient(url, { pollEvery: 0 });
    const reader = pollClient(url, { pollEvery: 0 });
    await talker.hello('budget');
    await stalled.hello('budget');
    await reader.hello('budget');
    await talker.waitFor(() => talker.messages('peer').length === 2, 'both pollers joined');
    // The reader polls after every frame, so its queue stays short; the stalled one never polls.
    for (let i = 0; i < 60 && talker.messages('left').length === 0; i++) {
      await talker.send(presenceFrame({ i, pad: 'p'.repeat(40) }));
      expect(await reader.poll()).toBe(200);
    }
    await talker.waitFor(() => talker.messages('left').length === 1, 'the stalled consumer was cut');
    expect(await stalled.poll()).toBe(404);
    // The reader stays and sees the stalled one leave.
    if (reader.messages('left').length === 0) expect(await reader.poll()).toBe(200);
    expect(reader.messages('left')).toHaveLength(1);
    const metrics = await scrape(url);
    expect(metrics.get('rxsync_hub_slow_consumer_cuts_total{reason="budget"}')).toBe(1);
    expect(metrics.get('rxsync_hub_rejects_total{code="E_SLOW_CONSUMER"}')).toBe(1);
    expect(metrics.get('rxsync_hub_outbound_budget_bytes')).toBe(3000);
    expect(metrics.get('rxsync_hub_outbound_bytes')).toBeLessThanOrEqual(3000);
  });

  it('a cut client rejoins with its last seq and gets every op it missed', async () => {
    const { url } = await hubWith({ limits: { outboundBytes: 3000, maxBufferedBytes: 1_000_000 } });
    const writer = track(await wsClient(url));
    const stalled = pollClient(url, { pollEvery: 0 });
    await writer.hello('budget-resume');
    await stalled.hello('budget-resume');
    await writer.waitFor(() => writer.messages('peer').length === 1, 'the poller joined');
    const ops = Array.from({ length: 5 }, () => counterOp(nextId()));
    await writer.send(opsFrame(ops));
    await writer.waitFor(() => writer.messages('ack').length === 1, 'acked');
    // Presence to the stalled poller until the budget cuts it (ops are not queued for pollers: they read the log).
    for (let i = 0; i < 60 && writer.messages('left').length === 0; i++) {
      await writer.send(presenceFrame({ i, pad: 'p'.repeat(40) }));
    }
    await writer.waitFor(() => writer.messages('left').length === 1, 'cut');
    const back = track(await wsClient(url));
    await back.hello('budget-resume', { lastSeq: 2 });
    await back.waitFor(() => back.messages('op').length === 3, 'the ops after seq 2');
    expect(back.messages('op').map((m) => m.seq)).toEqual([3, 4, 5]);
  });

  it('pauses reading past inboundBytes and resumes once commits release them: every op still applies', async () => {
    // A cap of one byte: every frame pauses its socket until the commit it is part of ends.
    const { hub, url } = await hubWith({ limits: { inboundBytes: 1 } });
    const client = track(await wsClient(url));
    await client.hello('inbound');
    const ops = Array.from({ length: 40 }, () => counterOp(nextId()));
    for (const op of ops) void client.send(opsFrame([op]));
    await client.waitFor(() => client.messages('ack').flatMap((m) => m.data['ids'] as string[]).length === 40, 'every op acked');
    expect(await hub.value('inbound', 'count')).toEqual({ type: 'pn-counter', value: 40 });
    // Nothing held once everything is committed (a missed release would keep the gauge up).
    expect((await scrape(url)).get('rxsync_hub_inbound_bytes')).toBe(0);
  });
});
