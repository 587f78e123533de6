import { opsFrame, startHub, type StartedHub } from './fixtures/hubFixture.js';
import { opIds, sseClient, wsClient, type RawClient } from './fixtures/rawClients.js';

// Broadcasts are encoded once per commit: WebSocket sockets get the commit's ops as frames built
// once (every header size of RFC 6455: 7-bit, 16-bit and 64-bit lengths) in one write.
describe('hub fan-out of a commit', () => {
  let started: StartedHub;
  const clients: RawClient[] = [];
  const nextId = opIds('fanout');

  beforeAll(async () => {
    started = await startHub({ limits: { maxEnvelopeBytes: 200_000, maxFrameBytes: 1_000_000 } });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await started.hub.close();
  });

  it('delivers every op of one commit, of every frame length, in order and intact, to WebSocket and SSE readers', async () => {
    const room = 'e2e:fanout';
    const writer = await wsClient(started.url);
    const wsReaders = [await wsClient(started.url), await wsClient(started.url)];
    const sseReader = await sseClient(started.url);
    clients.push(writer, ...wsReaders, sseReader);
    for (const client of [writer, ...wsReaders, sseReader]) await client.hello(room);
    // Envelope strings whose frames fall under 126 bytes, under 64 KiB, and over it; non-ASCII too.
    const bodies = ['a', 'é'.repeat(60), 'x'.repeat(300), 'y'.repeat(70_000), '∑'.repeat(30_000)];
    const ops = bodies.map((body) => ({ id: nextId(), doc: 'd', type: 'lww-map', body }));
    await writer.send(opsFrame(ops));
    for (const reader of [writer, ...wsReaders, sseReader]) {
      await reader.waitFor(() => reader.messages('op').length === ops.length, 'every op');
      const got = reader.messages('op');
      expect(got.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(got.map((m) => (m.data['op'] as { body: string }).body)).toEqual(bodies);
    }
  });
});
