// Real rxsync clients (outbox, live documents, the three transports) spread over three hubs that
// share one log and a bus: they converge with each other and with every hub, even with the bus
// dropping events for a while.
import type { Json } from '../../lib/crdt/json';
import type { LiveCounter, LiveMap, LiveSet } from '../../lib/live/index';
import { canonical, liveClient, until, type LiveClient, type Via } from '../e2e/support/liveClients';
import { seed, seededRandom } from '../support/fc';
import { startCluster, type Cluster } from './fixtures/clusterFixture';

const EDITS = Number(process.env['LIVE_EDITS'] ?? (process.env['FC_RUNS'] ? 300 : 45));
const ROOM = 'cluster-live';

interface Replica {
  readonly c: LiveClient;
  readonly card: LiveMap;
  readonly likes: LiveCounter;
  readonly tags: LiveSet;
}

describe('live clients on three hubs', () => {
  let cluster: Cluster;
  const replicas: Replica[] = [];
  beforeAll(async () => {
    cluster = await startCluster(3);
  });
  afterAll(async () => {
    for (const r of replicas) {
      for (const doc of [r.card, r.likes, r.tags]) doc.close();
      r.c.close();
    }
    await cluster.close();
  });

  it(`reach one value everywhere after ${EDITS} random edits, the bus dropping events for a while (seed ${seed})`, async () => {
    const random = seededRandom(seed);
    (['websocket', 'sse', 'polling'] as Via[]).forEach((via, i) => {
      const c = liveClient(cluster.hubs[i]!.url, via, ROOM);
      const open = <T extends 'lww-map' | 'pn-counter' | 'or-set'>(doc: string, type: T) =>
        c.client.live({ room: ROOM, doc, type, transport: c.transport });
      replicas.push({ c, card: open('card', 'lww-map'), likes: open('likes', 'pn-counter'), tags: open('tags', 'or-set') });
    });
    await until(() => replicas.every((r) => r.card.status$.get().joined), 'every client joined');

    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const edits: Promise<void>[] = [];
    let likes = 0;
    for (let i = 0; i < EDITS; i++) {
      // The middle third of the edits happens while the bus loses everything.
      cluster.network.dropping = i >= EDITS / 3 && i < (2 * EDITS) / 3;
      const r = pick(replicas);
      switch (pick(['set', 'count', 'tag', 'untag'])) {
        case 'set':
          edits.push(r.card.set(pick(['title', 'done', 'owner']), pick<Json>([1, 'two', true, null, { deep: [i] }])));
          break;
        case 'count':
          likes += 1;
          edits.push(r.likes.add(1));
          break;
        case 'tag':
          edits.push(r.tags.add(pick(['red', 'green', 'blue'])));
          break;
        case 'untag':
          edits.push(r.tags.remove(pick(['red', 'green', 'blue'])));
          break;
      }
      if (random() < 0.3) await new Promise((resolve) => setTimeout(resolve, random() * 15));
    }
    cluster.network.dropping = false;
    await Promise.all(edits);
    for (const r of replicas) await r.c.outbox.drained();

    const valuesOf = (r: Replica): string => canonical({ card: r.card.get(), likes: r.likes.get(), tags: r.tags.get() });
    const hubValues = async (index: number): Promise<string> => {
      const { hub } = cluster.hubs[index]!;
      const value = async (doc: string): Promise<unknown> => (await hub.value(ROOM, doc))?.value;
      return canonical({ card: await value('card'), likes: await value('likes'), tags: await value('tags') });
    };
    const expected = await hubValues(0);
    expect(await hubValues(1)).toBe(expected);
    expect(await hubValues(2)).toBe(expected);
    await until(() => replicas.every((r) => valuesOf(r) === expected), 'every client equal to the hubs').catch((error: Error) => {
      throw new Error(`${error.message}\nhub: ${expected}\n${replicas.map((r) => `${r.c.via}: ${valuesOf(r)}`).join('\n')}`);
    });
    // Every `add` counted once, none twice.
    expect((JSON.parse(expected) as { likes: number }).likes).toBe(likes);
  });
});
