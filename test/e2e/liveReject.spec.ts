import type { RxSyncError } from '../../lib/errors';
import { createHub, memoryLog, type Hub } from '../../server/index';
import { liveClient, until } from './support/liveClients';

describe('an edit the hub refuses', () => {
  let hub: Hub;
  let base: string;

  beforeAll(async () => {
    hub = createHub({ log: memoryLog() });
    base = (await hub.listen(0, '127.0.0.1')).url;
  });

  afterAll(() => hub.close());

  it('is dead-lettered, not retried, and withdrawn from the local view', async () => {
    const room = 'refusals';
    const owner = liveClient(base, 'websocket', room);
    const map = owner.client.live({ room, doc: 'shared', type: 'lww-map', transport: owner.transport });
    // Another client believes the same document is a counter: the hub refuses its ops for good.
    const confused = liveClient(base, 'websocket', room);
    const counter = confused.client.live({ room, doc: 'shared', type: 'pn-counter', transport: confused.transport });
    const errors: RxSyncError[] = [];
    const sub = counter.errors$.subscribe((e) => errors.push(e));
    try {
      await map.set('title', 'a map');
      await map.synced();
      await counter.add(5);
      expect(counter.get()).toBe(5); // applied locally at once
      const [letter] = await Promise.all([
        new Promise((resolve) => confused.outbox.deadLetter$.subscribe(resolve)),
        until(() => counter.pending$.get() === 0, 'the refusal settles the edit'),
      ]);
      expect(letter).toMatchObject({ status: 'E_OP_INVALID', op: { name: 'rxsync:live' } });
      expect(counter.get()).toBe(0);
      expect(errors.map((e) => e.code)).toContain('E_OP_INVALID');
      expect(await confused.outbox.deadLetters()).toHaveLength(1);
      expect(confused.outbox.pendingOps()).toHaveLength(0);
      expect((await hub.value(room, 'shared'))?.value).toEqual({ title: 'a map' });
    } finally {
      sub.unsubscribe();
      map.close();
      counter.close();
      owner.close();
      confused.close();
    }
  });
});
