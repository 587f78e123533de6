// Three clients, one per transport, edit four documents concurrently at random (seeded) in one
// room; every client must end with the same values as each other and as the hub's log.
import type { Json } from '../../../lib/crdt/json';
import type { LiveCounter, LiveMap, LiveMultiValue, LiveSet } from '../../../lib/live/index';
import { seededRandom } from '../../support/fc';
import { canonical, until, type LiveClient, type Via } from '../support/liveClients';
import type { LiveTarget } from '../support/liveTarget';

interface Replica {
  readonly c: LiveClient;
  readonly card: LiveMap;
  readonly likes: LiveCounter;
  readonly tags: LiveSet;
  readonly title: LiveMultiValue;
}

/** Runs `edits` random edits (from `seed`) in `room` of `target` and checks that everything converges. */
export async function convergeScenario(target: LiveTarget, room: string, edits: number, seed: number): Promise<void> {
  const random = seededRandom(seed);
  const replicas: Replica[] = [];
  try {
    for (const via of ['websocket', 'sse', 'polling'] as Via[]) {
      const c = target.client(via, room);
      const open = <T extends 'lww-map' | 'pn-counter' | 'or-set' | 'mv-register'>(doc: string, type: T) =>
        c.client.live({ room, doc, type, transport: c.transport });
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
    const pendingEdits: Promise<void>[] = [];
    let likes = 0;
    for (let i = 0; i < edits; i++) {
      const r = pick(replicas);
      const field = pick(['title', 'done', 'owner', '__proto__', 'constructor']);
      switch (pick(['set', 'remove', 'count', 'tag', 'untag', 'title'])) {
        case 'set':
          pendingEdits.push(r.card.set(field, pick<Json>([1, 'two', true, null, { deep: [i] }])));
          break;
        case 'remove':
          pendingEdits.push(r.card.remove(field));
          break;
        case 'count': {
          const amount = pick([1, 1, 2, -1]);
          likes += amount;
          pendingEdits.push(r.likes.add(amount));
          break;
        }
        case 'tag':
          pendingEdits.push(r.tags.add(pick(['red', 'green', 'blue'])));
          break;
        case 'untag':
          pendingEdits.push(r.tags.remove(pick(['red', 'green', 'blue'])));
          break;
        case 'title':
          pendingEdits.push(r.title.set(`${r.c.via}-${i}`));
          break;
      }
      // Let the network interleave with the edits now and then.
      if (random() < 0.3) await new Promise((resolve) => setTimeout(resolve, random() * 15));
    }
    await Promise.all(pendingEdits);
    await Promise.all(replicas.flatMap((r) => [r.card, r.likes, r.tags, r.title].map((d) => d.synced())));
    for (const r of replicas) await r.c.outbox.drained();

    const hubValue = async (doc: string): Promise<unknown> => (await target.value(room, doc))?.value;
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
  } finally {
    for (const r of replicas) {
      for (const doc of [r.card, r.likes, r.tags, r.title]) doc.close();
      r.c.close();
    }
  }
}
