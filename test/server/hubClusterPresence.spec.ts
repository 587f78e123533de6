// Presence and resuming across several hubs sharing one log and a bus.
import { opSeqs, startCluster, type Cluster } from './fixtures/clusterFixture.js';
import { counterOp, opsFrame, presenceFrame } from './fixtures/hubFixture.js';
import { sseClient, wsClient, type RawClient } from './fixtures/rawClients.js';

const peerOf = (client: RawClient): string => client.messages('welcome')[0]!.data['peer'] as string;
/** The peers a client knows of now, from its `peers` frame and the `peer`/`left` frames after it. */
function knownPeers(client: RawClient): Map<string, unknown> {
  const known = new Map<string, unknown>();
  for (const { data } of client.messages()) {
    if (data.kind === 'peers') for (const p of data['peers'] as { peer: string; state: unknown }[]) known.set(p.peer, p.state);
    else if (data.kind === 'peer') known.set(data['peer'] as string, data['state']);
    else if (data.kind === 'left') known.delete(data['peer'] as string);
  }
  return known;
}

describe('several hubs: presence and resume', () => {
  let cluster: Cluster | undefined;
  const clients: RawClient[] = [];
  const track = <C extends RawClient>(client: C): C => {
    clients.push(client);
    return client;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
    await cluster?.close();
    cluster = undefined;
  });

  it('shows a client on hub A the join, state changes and leave of a client on hub B', async () => {
    cluster = await startCluster(2, { presenceTtl: 3000 });
    const room = 'presence-across';
    const a = track(await wsClient(cluster.hubs[0]!.url));
    await a.hello(room);
    const b = track(await sseClient(cluster.hubs[1]!.url));
    await b.hello(room);
    await a.waitFor(() => knownPeers(a).has(peerOf(b)), 'a sees b arrive');
    await b.waitFor(() => knownPeers(b).has(peerOf(a)), 'b sees a (from hub A answering sync)');
    expect(peerOf(a)).not.toBe(peerOf(b));

    await b.send(presenceFrame({ cursor: 7 }));
    await a.waitFor(() => JSON.stringify(knownPeers(a).get(peerOf(b))) === '{"cursor":7}', 'a sees b state');
    await a.send(presenceFrame('typing'));
    await b.waitFor(() => knownPeers(b).get(peerOf(a)) === 'typing', 'b sees a state');

    // A third client, on hub A, gets both in its first `peers` frame (b from hub A's view of hub B).
    const c = track(await wsClient(cluster.hubs[0]!.url));
    await c.hello(room);
    expect(new Map((c.messages('peers')[0]!.data['peers'] as { peer: string; state: unknown }[]).map((p) => [p.peer, p.state]))).toEqual(
      new Map<string, unknown>([
        [peerOf(a), 'typing'],
        [peerOf(b), { cursor: 7 }],
      ]),
    );

    await b.close();
    await a.waitFor(() => !knownPeers(a).has(peerOf(b)), 'a sees b leave');
    expect(a.messages('left').map((m) => m.data['peer'])).toEqual([peerOf(b)]);
  });

  it('drops the peers of a hub that went silent (its bus died) after the presence ttl', async () => {
    cluster = await startCluster(3, { presenceTtl: 300 });
    const room = 'presence-silent';
    const a = track(await wsClient(cluster.hubs[0]!.url));
    await a.hello(room);
    const onB = track(await wsClient(cluster.hubs[1]!.url));
    await onB.hello(room);
    const onC = track(await wsClient(cluster.hubs[2]!.url));
    await onC.hello(room);
    await a.waitFor(() => knownPeers(a).has(peerOf(onB)) && knownPeers(a).has(peerOf(onC)), 'a sees both');

    // Hub B's bus dies first, then the hub: no `left` and no `gone` goes out; its peer must expire.
    await cluster.hubs[1]!.bus.close();
    await cluster.hubs[1]!.hub.close();
    await a.waitFor(() => !knownPeers(a).has(peerOf(onB)), 'b expires on hub A', 3000);
    expect(a.messages('left').map((m) => m.data['peer'])).toEqual([peerOf(onB)]);
    // Hub C keeps announcing its peer: it stays.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(knownPeers(a).has(peerOf(onC))).toBe(true);
  });

  it('drops the peers of a hub that closes cleanly at once (gone), long before the ttl', async () => {
    cluster = await startCluster(2, { presenceTtl: 600_000 });
    const room = 'presence-gone';
    const a = track(await wsClient(cluster.hubs[0]!.url));
    await a.hello(room);
    const onB = track(await wsClient(cluster.hubs[1]!.url));
    await onB.hello(room);
    await a.waitFor(() => knownPeers(a).has(peerOf(onB)), 'a sees b');
    await cluster.hubs[1]!.hub.close();
    await a.waitFor(() => !knownPeers(a).has(peerOf(onB)), 'b gone with its hub');
  });

  it('keeps the peers of a quiet but alive hub past the ttl (it re-announces them)', async () => {
    cluster = await startCluster(2, { presenceTtl: 150 });
    const room = 'presence-alive';
    const a = track(await wsClient(cluster.hubs[0]!.url));
    await a.hello(room);
    const b = track(await wsClient(cluster.hubs[1]!.url));
    await b.hello(room);
    await a.waitFor(() => knownPeers(a).has(peerOf(b)), 'a sees b');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(knownPeers(a).has(peerOf(b))).toBe(true);
    expect(a.messages('left')).toEqual([]);
  });

  it('resumes a client moving from hub A to hub B by its lastSeq, without loss or repeats', async () => {
    cluster = await startCluster(2);
    const room = 'resume-across';
    const writer = track(await wsClient(cluster.hubs[1]!.url));
    await writer.hello(room);
    // The mover reads on hub A what hub B's client writes.
    const mover = track(await wsClient(cluster.hubs[0]!.url));
    await mover.hello(room);
    await writer.send(opsFrame([counterOp('m1'), counterOp('m2'), counterOp('m3')]));
    await mover.waitFor(() => opSeqs(mover).length === 3, 'mover gets 3 ops on hub A');
    const seen = opSeqs(mover);
    await mover.close();
    // Written while the mover is away.
    await writer.send(opsFrame([counterOp('m4'), counterOp('m5')]));
    await writer.waitFor(() => writer.messages('ack').length === 2, 'acks');
    const moved = track(await wsClient(cluster.hubs[1]!.url));
    await moved.hello(room, { lastSeq: seen.at(-1)! });
    // Written on the hub the mover left: reaches it over the bus.
    const left = track(await wsClient(cluster.hubs[0]!.url));
    await left.hello(room);
    await left.send(opsFrame([counterOp('m6')]));
    await moved.waitFor(() => opSeqs(moved).length === 3, 'moved gets the rest');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([...seen, ...opSeqs(moved)]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(moved.messages('welcome')[0]!.data['head']).toBe(5);
  });
});
