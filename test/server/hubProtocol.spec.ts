import type { HubOp } from '../../lib/protocol/hubMessages.js';
import { counterOp, opsFrame, startHub, type StartedHub } from './fixtures/hubFixture.js';
import { connect, opIds, wsClient, type Kind, type RawClient } from './fixtures/rawClients.js';

/** Protocol conformance: the same behaviour over WebSocket, SSE + POST, and polling + POST. */
describe.each<Kind>(['ws', 'sse', 'poll'])('hub protocol over %s', (kind) => {
  let started: StartedHub;
  const clients: RawClient[] = [];
  const nextId = opIds(kind);
  let roomNo = 0;
  const room = (): string => `${kind}-room-${++roomNo}`;
  const open = async (): Promise<RawClient> => {
    const client = await connect(kind, started.url);
    clients.push(client);
    return client;
  };
  const seqs = (client: RawClient): number[] => client.messages('op').map((m) => m.seq!);
  const opIdsOf = (client: RawClient): string[] => client.messages('op').map((m) => (m.data['op'] as HubOp).id);

  beforeAll(async () => {
    started = await startHub({ snapshotEvery: 3 });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  });
  afterAll(() => started.hub.close());

  it('answers a hello with welcome, then peers', async () => {
    const name = room();
    const a = await open();
    expect(await a.hello(name)).toEqual(expect.objectContaining({ ok: true }));
    const [welcome, peers] = a.messages();
    expect(welcome).toEqual({
      data: {
        kind: 'welcome',
        room: name,
        peer: expect.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
        head: 0,
        e2e: false,
        // The hub's default limits, announced so clients pace themselves.
        limits: { messagesPerSecond: 100, burst: 200, opsPerMessage: 512, maxFrameBytes: 1024 * 1024 },
      },
    });
    expect(peers).toEqual({ data: { kind: 'peers', peers: [] } });
  });

  it('broadcasts each op with its seq to every session of the room, the sender too, then acks it', async () => {
    const name = room();
    const [a, b] = [await open(), await open()];
    const observer = await wsClient(started.url);
    clients.push(observer);
    const outsider = await open();
    await a.hello(name);
    await b.hello(name);
    await observer.hello(name);
    await outsider.hello(room());
    const ops = [counterOp(nextId()), counterOp(nextId())];
    await a.send(opsFrame(ops));
    await b.send(opsFrame([counterOp(nextId())]));
    for (const c of [a, b, observer]) await c.waitFor(() => c.messages('op').length === 3, `3 ops at ${c.kind}`);
    expect(seqs(a)).toEqual([1, 2, 3]);
    expect(seqs(b)).toEqual([1, 2, 3]);
    expect(opIdsOf(observer)).toEqual(opIdsOf(a));
    expect(a.messages('op')[0]!.data['op']).toEqual(ops[0]);
    await a.waitFor(() => a.messages('ack').length === 1, 'ack');
    expect(a.messages('ack')[0]!.data).toEqual({ kind: 'ack', ids: ops.map((o) => o.id) });
    // The ack comes after the ops it acknowledges.
    const kinds = a.messages().map((m) => m.data.kind);
    expect(kinds.indexOf('ack')).toBeGreaterThan(kinds.indexOf('op'));
    expect(outsider.messages('op')).toEqual([]);
    expect(await started.hub.value(name, 'count')).toEqual({ type: 'pn-counter', value: 3 });
  });

  it('acks a duplicate op id again without applying or broadcasting it twice', async () => {
    const name = room();
    const a = await open();
    await a.hello(name);
    const op = counterOp(nextId());
    await a.send(opsFrame([op]));
    await a.waitFor(() => a.messages('ack').length === 1, 'first ack');
    await a.send(opsFrame([op, counterOp(nextId())]));
    await a.waitFor(() => a.messages('ack').length === 2, 'second ack');
    expect(a.messages('ack')[1]!.data['ids']).toEqual([op.id, expect.any(String)]);
    expect(seqs(a)).toEqual([1, 2]);
    expect(await started.hub.value(name, 'count')).toEqual({ type: 'pn-counter', value: 2 });
  });

  it('resumes from lastSeq: exactly the missed ops, in order', async () => {
    const name = `${room()}-resume`;
    const hub = await startHub({ snapshotEvery: 1000 });
    try {
      const writer = await wsClient(hub.url);
      clients.push(writer);
      await writer.hello(name);
      const ids = Array.from({ length: 6 }, () => nextId());
      await writer.send(opsFrame(ids.map((id) => counterOp(id))));
      await writer.waitFor(() => writer.messages('ack').length === 1, 'ack');
      const reader = await connect(kind, hub.url);
      clients.push(reader);
      await reader.hello(name, { lastSeq: 2 });
      await reader.waitFor(() => reader.messages('op').length === 4, 'missed ops');
      expect(seqs(reader)).toEqual([3, 4, 5, 6]);
      expect(opIdsOf(reader)).toEqual(ids.slice(2));
      expect(reader.messages()[0]!.data).toEqual(expect.objectContaining({ kind: 'welcome', head: 6 }));
      // Replayed before `peers`, live after it.
      const kinds = reader.messages().map((m) => m.data.kind);
      expect(kinds.slice(0, 6)).toEqual(['welcome', 'op', 'op', 'op', 'op', 'peers']);
      await writer.send(opsFrame([counterOp(nextId())]));
      await reader.waitFor(() => reader.messages('op').length === 5, 'live op');
      expect(seqs(reader)).toEqual([3, 4, 5, 6, 7]);
    } finally {
      await hub.hub.close();
    }
  });

  it('sends a snapshot (then the ops after it) to a client behind the latest snapshot', async () => {
    const name = room();
    const writer = await open();
    await writer.hello(name);
    for (let i = 0; i < 7; i++) {
      await writer.send(opsFrame([counterOp(nextId())]));
      await writer.waitFor(() => writer.messages('ack').length === i + 1, `ack ${i}`);
    }
    // snapshotEvery 3: snapshots at 3 and 6; the latest is at 6.
    const fresh = await open();
    await fresh.hello(name, { lastSeq: 0 });
    await fresh.waitFor(() => fresh.messages('op').length === 1, 'op after the snapshot');
    const kinds = fresh.messages().map((m) => m.data.kind);
    expect(kinds.slice(0, 4)).toEqual(['welcome', 'snapshot', 'op', 'peers']);
    const snapshot = fresh.messages('snapshot')[0]!;
    expect(snapshot.seq).toBeUndefined();
    expect(snapshot.data).toEqual({
      kind: 'snapshot',
      seq: 6,
      docs: [{ doc: 'count', type: 'pn-counter', state: expect.objectContaining({ type: 'pn-counter' }) }],
    });
    expect(((snapshot.data['docs'] as { state: { inc: unknown[] } }[])[0]!.state.inc as unknown[]).length).toBe(6);
    expect(seqs(fresh)).toEqual([7]);

    const behind = await open();
    await behind.hello(name, { lastSeq: 4 });
    await behind.waitFor(() => behind.messages('op').length === 1, 'op 7');
    expect(behind.messages('snapshot').length).toBe(1);
    expect(seqs(behind)).toEqual([7]);

    const current = await open();
    await current.hello(name, { lastSeq: 6 });
    await current.waitFor(() => current.messages('op').length === 1, 'op 7');
    expect(current.messages('snapshot')).toEqual([]);
    expect(seqs(current)).toEqual([7]);
  });

  it('rejects only the op with an invalid body; the valid ones in the message apply', async () => {
    const name = room();
    const a = await open();
    await a.hello(name);
    const good = counterOp(nextId());
    const bad = { ...counterOp(nextId()), body: { type: 'pn-counter', v: 1, inc: [['x', -1]], dec: [] } };
    const wrongType = { ...counterOp(nextId()), type: 'lww-map' };
    await a.send(opsFrame([good, bad]));
    await a.waitFor(() => a.messages('ack').length === 1 && a.messages('reject').length === 1, 'ack and reject');
    expect(a.messages('reject')[0]!.data).toEqual({
      kind: 'reject',
      ids: [bad.id],
      code: 'E_OP_INVALID',
      message: expect.stringContaining('pn-counter'),
    });
    expect(a.messages('ack')[0]!.data['ids']).toEqual([good.id]);
    // A document keeps the type of its first op.
    await a.send(opsFrame([wrongType]));
    await a.waitFor(() => a.messages('reject').length === 2, 'type reject');
    expect(a.messages('reject')[1]!.data).toEqual(expect.objectContaining({ ids: [wrongType.id], code: 'E_OP_INVALID' }));
    expect(seqs(a)).toEqual([1]);
    expect(await started.hub.value(name, 'count')).toEqual({ type: 'pn-counter', value: 1 });
  });

  it('answers ping with pong, before and after the hello', async () => {
    const a = await open();
    if (kind === 'poll') await a.hello(room()); // a polling session exists only after its hello
    await a.send({ v: 1, type: 'ping', id: 7 });
    await a.waitFor(() => a.received.some((f) => f.type === 'pong'), 'pong');
    expect(a.received.find((f) => f.type === 'pong')).toEqual({ v: 1, type: 'pong', id: 7 });
  });

  it('forwards opaque string bodies in end-to-end rooms, keeps no state and takes no snapshot', async () => {
    const name = `e2e:${room()}`;
    const a = await open();
    const b = await open();
    await a.hello(name);
    await b.hello(name);
    expect(a.messages()[0]!.data).toEqual(expect.objectContaining({ kind: 'welcome', e2e: true }));
    const sealed = Array.from({ length: 4 }, () => ({ id: nextId(), doc: 'notes', type: 'lww-map', body: 'v1.sealed.AAAA' }));
    await a.send(opsFrame(sealed));
    await a.send(opsFrame([{ ...counterOp(nextId()), doc: 'notes' }]));
    await b.waitFor(() => b.messages('op').length === 4, 'sealed ops');
    await a.waitFor(() => a.messages('reject').length === 1, 'plain body refused');
    expect(a.messages('reject')[0]!.data).toEqual(expect.objectContaining({ code: 'E_OP_INVALID' }));
    expect(b.messages('op').map((m) => m.data['op'])).toEqual(sealed);
    expect(await started.hub.value(name, 'notes')).toBeUndefined();
    const late = await open();
    await late.hello(name);
    await late.waitFor(() => late.messages('op').length === 4, 'replayed, not snapshotted');
    expect(late.messages('snapshot')).toEqual([]);
  });

  it('refuses data before the hello and a hello without a room', async () => {
    if (kind === 'poll') {
      // Polling: only a hello can start a session.
      const a = await connect('poll', started.url);
      expect(await a.send(opsFrame([counterOp(nextId())]))).toBe(404);
      expect(await a.hello(undefined)).toEqual({ ok: false, status: 400 });
      return;
    }
    const a = await open();
    await a.send(opsFrame([counterOp(nextId())]));
    await a.waitFor(() => a.errors().length === 1, 'error');
    expect(a.errors()[0]).toEqual(expect.objectContaining({ code: 'E_HELLO_REQUIRED' }));
    const outcome = await a.hello(undefined);
    expect(outcome).toEqual({ ok: false, status: kind === 'ws' ? 4400 : 400 });
    expect(a.errors()[1]).toEqual(expect.objectContaining({ code: 'E_ROOM_INVALID' }));
  });
});
