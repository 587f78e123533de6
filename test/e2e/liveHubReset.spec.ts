import type { RxSyncError } from '../../lib/errors';
import { createHub, memoryLog } from '../../server/index';
import { freePort } from '../transports/support/wait';
import { liveClient, until } from './support/liveClients';

describe('a hub that lost its data', () => {
  it('is followed from its new head: later ops are not dropped as already seen', async () => {
    const port = await freePort();
    const room = 'reset';
    let hub = createHub({ log: memoryLog() });
    const base = (await hub.listen(port, '127.0.0.1')).url;
    const a = liveClient(base, 'websocket', room);
    const doc = a.client.live({ room, doc: 'd', type: 'lww-map', transport: a.transport });
    const errors: RxSyncError[] = [];
    const sub = doc.errors$.subscribe((e) => errors.push(e));
    try {
      for (let i = 0; i < 5; i++) await doc.set(`before${i}`, i);
      await doc.synced();
      await hub.close();
      // A fresh hub on the same address: its room starts again at seq 0.
      hub = createHub({ log: memoryLog() });
      await hub.listen(port, '127.0.0.1');
      await until(() => errors.some((e) => e.code === 'E_HUB_BEHIND'), 'the reset is noticed');
      const b = liveClient(base, 'websocket', room);
      const other = b.client.live({ room, doc: 'd', type: 'lww-map', transport: b.transport });
      await other.set('after', true);
      await other.synced();
      await until(() => doc.get()['after'] === true, 'an op numbered below the old cursor still arrives');
      other.close();
      b.close();
    } finally {
      sub.unsubscribe();
      doc.close();
      a.close();
      await hub.close();
    }
  });
});
