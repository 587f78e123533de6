import { createMetrics } from '../../lib/metrics/index.js';
import { counterOp, opsFrame, parseMetrics, scrape, startHub, type StartedHub } from './fixtures/hubFixture.js';
import { opIds, pollClient, sseClient, wsClient, type RawClient } from './fixtures/rawClients.js';

describe('hub /metrics', () => {
  let started: StartedHub;
  const registry = createMetrics();
  const appCounter = registry.counter({ name: 'app_things_total', help: 'Something the app counts.' });
  const nextId = opIds('metrics');

  beforeAll(async () => {
    started = await startHub({ metrics: registry });
  });
  afterAll(() => started.hub.close());

  it('parses the Prometheus text format it is given', () => {
    const parsed = parseMetrics('# HELP x X.\n# TYPE x counter\nx 3\ny{a="1",le="+Inf"} 2.5\nz +Inf\n');
    expect([...parsed]).toEqual([
      ['x', 3],
      ['y{a="1",le="+Inf"}', 2.5],
      ['z', Infinity],
    ]);
    expect(() => parseMetrics('not a metric line with spaces')).toThrow(/unparsable/);
  });

  it('reports connections, rooms, ops, duplicates, rejects and latencies that match what happened', async () => {
    const { url } = started;
    const a = await wsClient(url);
    const b = await wsClient(url);
    const c = await sseClient(url);
    const d = pollClient(url);
    const clients: RawClient[] = [a, b, c, d];
    await a.hello('m1');
    await b.hello('m2');
    await c.hello('m1');
    await d.hello('m1');

    const ops = Array.from({ length: 5 }, () => counterOp(nextId()));
    await a.send(opsFrame(ops.slice(0, 3)));
    await a.waitFor(() => a.messages('ack').length === 1, 'ack 1');
    await c.send(opsFrame([...ops.slice(3), ops[0]!])); // one duplicate
    await c.waitFor(() => c.messages('ack').length === 1, 'ack 2');
    await b.send(opsFrame([counterOp(nextId()), { ...counterOp(nextId()), body: { bad: true } }, { ...counterOp(nextId()), body: 7 }]));
    await b.waitFor(() => b.messages('ack').length === 1 && b.messages('reject').length === 1, 'ack and reject');
    await b.sendRaw('{oops');
    await b.send({ v: 1, type: 'data', data: { kind: 'nope' } });
    await b.waitFor(() => b.errors().length === 2, 'two errors');
    appCounter.add(7);

    const text = await (await fetch(`${url}/metrics`)).text();
    for (const name of [
      'rxsync_hub_connections',
      'rxsync_hub_connections_total',
      'rxsync_hub_rooms',
      'rxsync_hub_ops_applied_total',
      'rxsync_hub_ops_duplicate_total',
      'rxsync_hub_rejects_total',
      'rxsync_hub_fanout_seconds',
      'rxsync_hub_log_write_seconds',
    ]) {
      expect(text).toMatch(new RegExp(`^# HELP ${name} .+$`, 'm'));
      expect(text).toMatch(new RegExp(`^# TYPE ${name} (counter|gauge|histogram)$`, 'm'));
    }
    const m = parseMetrics(text);
    expect(m.get('rxsync_hub_connections{transport="ws"}')).toBe(2);
    expect(m.get('rxsync_hub_connections{transport="sse"}')).toBe(1);
    expect(m.get('rxsync_hub_connections{transport="poll"}')).toBe(1);
    expect(m.get('rxsync_hub_connections_total{transport="ws"}')).toBe(2);
    expect(m.get('rxsync_hub_rooms')).toBe(2);
    expect(m.get('rxsync_hub_ops_applied_total')).toBe(6);
    expect(m.get('rxsync_hub_ops_duplicate_total')).toBe(1);
    expect(m.get('rxsync_hub_rejects_total{code="E_OP_INVALID"}')).toBe(2);
    expect(m.get('rxsync_hub_rejects_total{code="E_FRAME_INVALID"}')).toBe(1);
    expect(m.get('rxsync_hub_rejects_total{code="E_MESSAGE_INVALID"}')).toBe(1);
    expect(m.get('app_things_total')).toBe(7);
    // One fan-out observation per applied op; one log write per group commit (here one per message).
    expect(m.get('rxsync_hub_fanout_seconds_count')).toBe(6);
    expect(m.get('rxsync_hub_fanout_seconds_bucket{le="+Inf"}')).toBe(6);
    expect(m.get('rxsync_hub_log_write_seconds_count')).toBe(3);
    expect(m.get('rxsync_hub_fanout_seconds_sum')).toBeGreaterThanOrEqual(0);
    const buckets = [...m].filter(([k]) => k.startsWith('rxsync_hub_fanout_seconds_bucket')).map(([, v]) => v);
    expect(buckets).toEqual([...buckets].sort((x, y) => x - y)); // cumulative

    await Promise.all(clients.map((client) => client.close()));
    await a.waitFor(() => a.ended !== undefined, 'closed');
    const deadline = Date.now() + 5000;
    let after = await scrape(url);
    while (after.get('rxsync_hub_connections{transport="sse"}') !== 0 && Date.now() < deadline) after = await scrape(url);
    expect(after.get('rxsync_hub_connections{transport="ws"}')).toBe(0);
    expect(after.get('rxsync_hub_connections{transport="sse"}')).toBe(0);
    expect(after.get('rxsync_hub_connections{transport="poll"}')).toBe(0);
    expect(after.get('rxsync_hub_connections_total{transport="poll"}')).toBe(1);
  });
});
