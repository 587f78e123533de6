import { BehaviorSubject } from 'rxjs';
import { createOutbox, memoryStorage, type Outbox, type Storage } from '../../../lib/index.js';
import { localforageStorage } from '../../../lib/storage/localforageStorage.js';
import { encryptedStorage } from '../../../lib/codec/encryptedStorage.js';

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

/** Records which outbox sent which op. */
function recorder() {
  const sent: Array<{ by: string; id: string }> = [];
  const sender = (by: string) => async (op: { id: string }) => {
    sent.push({ by, id: op.id });
  };
  return { sent, sender };
}

describe('outboxes sharing one storage', () => {
  it('one leader sends every instance’s ops, each once; when it closes, the other takes over the rest', async () => {
    const storage = memoryStorage();
    const online$ = new BehaviorSubject(false);
    const a = createOutbox({ storage, online$ });
    const b = createOutbox({ storage, online$ });
    const { sent, sender } = recorder();
    a.register('edit', sender('a'));
    b.register('edit', sender('b'));
    const queued: string[] = [];
    for (let i = 0; i < 5; i++) {
      queued.push((await a.enqueue('edit', { i })).id, (await b.enqueue('edit', { i })).id);
    }
    // b learns of a's ops (and a of b's): both count the whole shared queue.
    await waitFor(() => a.pending$.get() === 10 && b.pending$.get() === 10);
    online$.next(true);
    await Promise.all([a.drained(), b.drained()]);
    expect(sent.map((s) => s.id).sort()).toEqual([...queued].sort());
    expect(new Set(sent.map((s) => s.by)).size).toBe(1); // only the leader sent

    // The leader closes (a tab closed) with ops queued by both: the other sends them.
    online$.next(false);
    const leader = sent[0]!.by === 'a' ? a : b;
    const other = leader === a ? b : a;
    const more = [(await leader.enqueue('edit', { more: 1 })).id, (await other.enqueue('edit', { more: 2 })).id];
    leader.close();
    online$.next(true);
    await waitFor(() => more.every((id) => sent.some((s) => s.id === id)));
    await other.drained();
    expect(sent.filter((s) => more.includes(s.id)).map((s) => s.by)).toEqual([leader === a ? 'b' : 'a', leader === a ? 'b' : 'a']);
    expect(new Set(sent.map((s) => s.id)).size).toBe(sent.length); // nothing twice
    other.close();
    const reloaded = createOutbox({ storage, online$: offline() });
    await reloaded.ready;
    expect(reloaded.pendingOps()).toEqual([]);
    reloaded.close();
  });

  it('ops of one scope queued by two instances are sent in queue order (createdAt, then writer)', async () => {
    const storage = memoryStorage();
    let clock = 1000;
    const now = () => clock;
    const online$ = new BehaviorSubject(false);
    const a = createOutbox({ storage, online$, now });
    const b = createOutbox({ storage, online$, now });
    const order: number[] = [];
    for (const o of [a, b]) o.register<{ n: number }>('edit', async (op) => void order.push(op.payload.n));
    for (let n = 0; n < 6; n++) {
      clock += 1;
      await (n % 2 === 0 ? a : b).enqueue('edit', { n }, { scope: 'list' });
    }
    await waitFor(() => a.pending$.get() === 6 && b.pending$.get() === 6);
    online$.next(true);
    await Promise.all([a.drained(), b.drained()]);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    a.close();
    b.close();
  });

  it('processes with a lease in storage: a crashed leader’s ops are taken over once its lease expired (fake clock)', async () => {
    jest.useFakeTimers();
    try {
      const data = memoryStorage();
      // Two "processes": separate storage objects over the same data, marked shared (as fileStorage is).
      let crashed = false;
      const hang = <T>(call: () => Promise<T>): Promise<T> => (crashed ? new Promise<T>(() => undefined) : call());
      const storageA: Storage = {
        name: 'shared',
        shared: true,
        get: (key) => hang(() => data.get(key)),
        set: (key, value) => hang(() => data.set(key, value)),
        remove: (key) => hang(() => data.remove(key)),
        keys: (prefix) => hang(() => data.keys(prefix)),
        batch: (writes) => hang(() => data.batch(writes)),
      };
      const storageB: Storage = { ...data, name: 'shared', shared: true };
      const online$ = new BehaviorSubject(true);
      const a = createOutbox({ storage: storageA, online$, leaseTtl: 3000, rescanInterval: 500 });
      await a.ready;
      await jest.advanceTimersByTimeAsync(200); // a claims the lease
      const { sent, sender } = recorder();
      let releaseA!: () => void;
      a.register('edit', (op) => {
        sent.push({ by: 'a', id: op.id });
        return new Promise<void>((resolve) => (releaseA = resolve)); // a hangs on its first send
      });
      const ids = [(await a.enqueue('edit', { i: 1 })).id, (await a.enqueue('edit', { i: 2 })).id];
      await jest.advanceTimersByTimeAsync(10);
      expect(sent.map((s) => s.by)).toEqual(['a']);

      const b = createOutbox({ storage: storageB, online$, leaseTtl: 3000, rescanInterval: 500 });
      b.register('edit', sender('b'));
      await b.ready;
      crashed = true; // a dies: no more renewals, its lease record stays
      releaseA();
      await jest.advanceTimersByTimeAsync(2000);
      expect(sent.filter((s) => s.by === 'b')).toEqual([]); // the lease has not expired yet
      await jest.advanceTimersByTimeAsync(3000);
      await b.drained();
      // b resends the op a was sending (a died before recording its end) and sends the other one.
      expect(sent.filter((s) => s.by === 'b').map((s) => s.id)).toEqual(ids);
      b.close();
      a.close();
    } finally {
      jest.useRealTimers();
    }
  });
});

/** Polls `condition`; gives up after 10 s so a broken build fails the test instead of hanging jest. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 2000) throw new Error(`condition still false after 10 s: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('two tabs with encrypted outboxes over one database', () => {
  it('coordinate as over the database itself: one leader, each op sent once', async () => {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const name = `multi-tab-enc-${Math.random().toString(36).slice(2)}`;
    // Each tab opens its own database handle and wraps it, as two pages of one app would.
    const tab = () => encryptedStorage(localforageStorage({ name }), { keys: { k1: key }, currentKeyId: 'k1' });
    const online$ = new BehaviorSubject(false);
    const a = createOutbox({ storage: tab(), online$ });
    const b = createOutbox({ storage: tab(), online$ });
    const { sent, sender } = recorder();
    a.register('edit', sender('a'));
    b.register('edit', sender('b'));
    const queued: string[] = [];
    try {
      for (let i = 0; i < 5; i++) queued.push((await a.enqueue('edit', { i })).id, (await b.enqueue('edit', { i })).id);
      await waitFor(() => a.pending$.get() === 10 && b.pending$.get() === 10);
      online$.next(true);
      await Promise.all([a.drained(), b.drained()]);
      expect(sent.map((s) => s.id).sort()).toEqual([...queued].sort());
      expect(new Set(sent.map((s) => s.by)).size).toBe(1);
    } finally {
      a.close();
      b.close();
    }
  });
});
