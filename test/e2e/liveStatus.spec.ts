// The room's status must not lie: an old error is gone after a good reconnect, and while the
// platform says offline the status claims neither open nor joined.
import { BehaviorSubject } from 'rxjs';
import { createHub, type Hub } from '../../server/hub';
import { memoryLog } from '../../server/memoryLog';
import type { LiveCounter } from '../../lib/live/index';
import { freePort } from '../transports/support/wait';
import { startHub, type StartedHub } from '../server/fixtures/hubFixture';
import { liveClient, hubTransport, until, type Via } from './support/liveClients';
import { createOutbox } from '../../lib/outbox/outbox';
import { createClient } from '../../lib/query/client';
import { liveDocuments } from '../../lib/live/liveRegistry';
import { memoryStorage } from '../../lib/storage/memoryStorage';

describe.each<Via>(['websocket', 'sse', 'polling'])('live status over %s', (via) => {
  it('has no error after a good reconnect (the hub was down, then came up)', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const live = liveClient(url, via, 'status');
    const counter = live.client.live({ room: 'status', doc: 'c', type: 'pn-counter', transport: live.transport }) as LiveCounter;
    let hub: Hub | undefined;
    try {
      await until(() => counter.status$.get().state === 'reconnecting' && counter.status$.get().error !== undefined, 'a failed attempt');
      hub = createHub({ log: memoryLog() });
      await hub.listen(port, '127.0.0.1');
      await until(() => counter.status$.get().joined, 'joined');
      await counter.add(1);
      await counter.synced();
      expect(counter.status$.get()).toEqual(expect.objectContaining({ state: 'open', joined: true }));
      expect(counter.status$.get().error).toBeUndefined();
    } finally {
      counter.close();
      live.close();
      await hub?.close();
    }
  });

  describe('while the platform says offline', () => {
    let started: StartedHub;
    beforeEach(async () => {
      started = await startHub();
    });
    afterEach(() => started.hub.close());

    it('is neither open nor joined, and is joined again once online (same connection)', async () => {
      const online$ = new BehaviorSubject(true);
      const outbox = createOutbox({ storage: memoryStorage() });
      const client = createClient({ outbox, live: liveDocuments });
      const transport = hubTransport(started.url, via, { room: 'offline' }, { online$ });
      const counter = client.live({ room: 'offline', doc: 'c', type: 'pn-counter', transport }) as LiveCounter;
      try {
        await until(() => counter.status$.get().joined, 'joined');
        online$.next(false);
        expect(counter.status$.get()).toEqual(expect.objectContaining({ state: 'offline', joined: false }));
        // The socket may still work (the platform's flag can be wrong): edits are not held back.
        await counter.add(1);
        await counter.synced();
        expect(counter.status$.get()).toEqual(expect.objectContaining({ state: 'offline', joined: false }));
        online$.next(true);
        expect(counter.status$.get()).toEqual(expect.objectContaining({ state: 'open', joined: true }));
        await counter.add(1);
        await counter.synced();
        expect(await started.hub.value('offline', 'c')).toEqual({ type: 'pn-counter', value: 2 });
      } finally {
        counter.close();
        outbox.close();
      }
    });
  });
});
