import { BehaviorSubject } from 'rxjs';
import { createOutbox, memoryStorage, type Outbox, type Storage } from '../../../lib/index.js';
import { localforageStorage } from '../../../lib/storage/localforageStorage.js';

/**
 * Two outboxes on one storage (two tabs of one app, one IndexedDB database): each op reported
 * queued must still be there after a reload, whichever tab queued it, and none twice.
 */
const offline = () => new BehaviorSubject(false);

async function interleaved(storage: Storage): Promise<{ queued: string[]; reloaded: Outbox }> {
  const a = createOutbox({ storage, online$: offline() });
  const b = createOutbox({ storage, online$: offline() });
  await Promise.all([a.ready, b.ready]);
  const queued: string[] = [];
  for (let i = 0; i < 20; i++) {
    // Alternating single enqueues and small bursts, as two tabs editing would.
    queued.push((await a.enqueue('edit', { tab: 'a', i })).id);
    const burst = await Promise.all([b.enqueue('edit', { tab: 'b', i }), b.enqueue('edit', { tab: 'b', i: i + 0.5 })]);
    queued.push(...burst.map((op) => op.id));
  }
  a.close();
  b.close();
  const reloaded = createOutbox({ storage, online$: offline() });
  await reloaded.ready;
  return { queued, reloaded };
}

describe.each([
  ['memoryStorage', () => memoryStorage()],
  ['localforageStorage (IndexedDB)', () => localforageStorage({ name: `multi-tab-${Math.random().toString(36).slice(2)}` })],
])('two outboxes on one %s', (_name, makeStorage) => {
  it('a new outbox after a reload sees every op either of them reported queued, once each', async () => {
    const { queued, reloaded } = await interleaved(makeStorage());
    const ids = reloaded.pendingOps().map((op) => op.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...queued].sort());
    reloaded.close();
  });
});
