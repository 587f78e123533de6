import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Json } from '../../lib/crdt/json';
import type { LiveCounter, LiveMap, LiveMultiValue, LiveSet } from '../../lib/live/index';
import { createHub, openSqliteLog, type Hub } from '../../server/index';
import { seed, seededRandom } from '../support/fc';
import { canonical, liveClient, until, type LiveClient, type Via } from './support/liveClients';

/**
 * Three clients in one room, one per transport, edit four documents concurrently at random (seeded:
 * the seed is printed) through a real hub whose log is a real SQLite file. Every client must end
 * with the same values as each other and as the hub.
 */
const EDITS = Number(process.env['LIVE_EDITS'] ?? (process.env['FC_RUNS'] ? 400 : 60));
const ROOM = 'converge';

interface Replica {
  readonly c: LiveClient;
  readonly card: LiveMap;
  readonly likes: LiveCounter;
  readonly tags: LiveSet;
  readonly title: LiveMultiValue;
}

describe('live documents converge across WebSocket, SSE and polling', () => {
  let dir: string;
  let hub: Hub;
  let base: string;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxsync-converge-'));
    hub = createHub({ log: await openSqliteLog({ path: join(dir, 'hub.db') }) });
    base = (await hub.listen(0, '127.0.0.1')).url;
  });

  afterAll(async () => {
    for (const r of replicas) {
      for (const doc of [r.card, r.likes, r.tags, r.title]) doc.close();
      r.c.close();
    }
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`reaches one value everywhere after ${EDITS} random concurrent edits (seed ${seed})`, async () => {
    const random = seededRandom(seed);
    for (const via of ['websocket', 'sse', 'polling'] as Via[]) {
      const c = liveClient(base, via, ROOM);
      const open = <T extends 'lww-map' | 'pn-counter' | 'or-set' | 'mv-register'>(doc: string, type: T) =>
        c.client.live({ room: ROOM, doc, type, transport: c.transport });
      replicas.push({
        c,
        card: open('card', 'lww-map'),
        likes: open('likes', 'pn-counter'),
        tags: open('tags', 'or-set'),
        title: open('title', 'mv-register'),
      });
    }
    await until(() => replicas.every((r) => r.card.status$.get().joined), 'every client joined');

    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const edits: Promise<void>[] = [];
    let likes = 0;
    for (let i = 0; i < EDITS; i++) {
      const r = pick(replicas);
      const field = pick(['title', 'done', 'owner', '__proto__', 'constructor']);
      switch (pick(['set', 'remove', 'count', 'tag', 'untag', 'title'])) {
        case 'set':
          edits.push(r.card.set(field, pick<Json>([1, 'two', true, null, { deep: [i] }])));
          break;
        case 'remove':
          edits.push(r.card.remove(field));
          break;
        case 'count': {
          const amount = pick([1, 1, 2, -1]);
          likes += amount;
          edits.push(r.likes.add(amount));
          break;
        }
        case 'tag':
          edits.push(r.tags.add(pick(['red', 'green', 'blue'])));
          break;
        case 'untag':
          edits.push(r.tags.remove(pick(['red', 'green', 'blue'])));
          break;
        case 'title':
          edits.push(r.title.set(`${r.c.via}-${i}`));
          break;
      }
      // Let the network interleave with the edits now and then.
      if (random() < 0.3) await new Promise((resolve) => setTimeout(resolve, random() * 15));
    }
    await Promise.all(edits);
    await Promise.all(replicas.flatMap((r) => [r.card, r.likes, r.tags, r.title].map((d) => d.synced())));
    for (const r of replicas) await r.c.outbox.drained();

    const hubValue = async (doc: string): Promise<unknown> => (await hub.value(ROOM, doc))?.value;
    const expected = {
      card: await hubValue('card'),
      likes: await hubValue('likes'),
      tags: await hubValue('tags'),
      title: await hubValue('title'),
    };
    const valuesOf = (r: Replica) => ({ card: r.card.get(), likes: r.likes.get(), tags: r.tags.get(), title: r.title.get() });
    await until(() => replicas.every((r) => canonical(valuesOf(r)) === canonical(expected)), 'every client equal to the hub').catch(
      (error: Error) => {
        throw new Error(
          `${error.message}\nhub: ${canonical(expected)}\n${replicas.map((r) => `${r.c.via}: ${canonical(valuesOf(r))}`).join('\n')}`,
        );
      },
    );
    expect(replicas.map((r) => canonical(valuesOf(r)))).toEqual([canonical(expected), canonical(expected), canonical(expected)]);
    // The counter is exact: every `add` counted once, none twice.
    expect(expected.likes).toBe(likes);
    // Concurrent titles are kept as siblings until someone resolves them; resolving clears them everywhere.
    const [first] = replicas as [Replica];
    await first.title.set('resolved');
    await first.title.synced();
    await until(
      () => replicas.every((r) => r.title.get() === 'resolved' && r.title.conflicts$.get().length === 0),
      'resolution reached everyone',
    );
  });
});
