import { allow, createTestClient, createTestHub, deny, type TestClient, type TestHub } from 'rxsync/testing';
import { memoryStorage, type RxSyncError } from 'rxsync';

describe('live documents between test clients through the in-memory hub', () => {
  let hub: TestHub;
  let alice: TestClient;
  let bob: TestClient;

  beforeEach(() => {
    hub = createTestHub();
    alice = createTestClient({ hub });
    bob = createTestClient({ hub, clock: alice.clock });
  });
  afterEach(async () => {
    alice.dispose();
    bob.dispose();
    await hub.close();
    alice.clock.dispose();
  });

  const open = (test: TestClient, doc = 'note') =>
    test.client.live<{ title?: string; done?: boolean; [field: string]: unknown }>({
      room: 'team',
      doc,
      type: 'lww-map',
      transport: test.transport('team'),
    });

  it('converges: edits on both sides reach the other, and the hub holds the same merged value', async () => {
    const a = open(alice);
    const b = open(bob);
    await a.set('title', 'Plan');
    await b.set('done', true);
    await alice.flush();
    expect(a.get()).toEqual({ title: 'Plan', done: true });
    expect(b.get()).toEqual({ title: 'Plan', done: true });
    expect((await hub.value('team', 'note'))?.value).toEqual({ title: 'Plan', done: true });
    expect(await hub.head('team')).toBe(2);
    expect(a.pending$.get()).toBe(0);
  });

  it('goOffline drops the connection and flips the online flag; edits queue, then arrive on goOnline, none lost', async () => {
    const a = open(alice);
    const b = open(bob);
    await alice.flush();
    expect(hub.connections()).toBe(2);

    alice.goOffline();
    await alice.flush();
    expect(alice.online.get()).toBe(false);
    expect(hub.connections()).toBe(1);
    expect(a.status$.get().joined).toBe(false);
    for (let i = 0; i < 5; i++) await a.set(`f${i}`, i);
    await b.set('title', 'from Bob while Alice is away');
    await alice.flush();
    expect(a.pending$.get()).toBe(5);
    expect(b.get()).toEqual({ title: 'from Bob while Alice is away' });
    expect(alice.outbox.pending$.get()).toBe(5);

    alice.goOnline();
    await alice.flush();
    const everything = { title: 'from Bob while Alice is away', f0: 0, f1: 1, f2: 2, f3: 3, f4: 4 };
    expect(a.get()).toEqual(everything);
    expect(b.get()).toEqual(everything);
    expect(a.pending$.get()).toBe(0);
    expect(await hub.head('team')).toBe(6);
    expect(hub.connections()).toBe(2);
  });

  it('the real room logic answers: a refused room shows as refused, edits stay queued', async () => {
    const strictHub = createTestHub({ authenticate: (token) => (token === 'ok' ? allow('ann') : deny('forbidden', 'not you')) });
    const carol = createTestClient({ hub: strictHub, token: 'nope' });
    const doc = carol.client.live({ room: 'team', doc: 'note', type: 'lww-map', transport: carol.transport('team') });
    const errors: RxSyncError[] = [];
    doc.errors$.subscribe((error) => errors.push(error));
    await doc.set('title', 'kept');
    await carol.flush();
    expect(doc.status$.get().state).toBe('refused');
    expect(errors.map((e) => e.code)).toContain('E_ROOM_FORBIDDEN');
    expect(doc.pending$.get()).toBe(1);
    expect(await strictHub.head('team')).toBe(0);
    carol.dispose();
    await strictHub.close();
  });

  it('presence goes through the hub', async () => {
    const a = open(alice);
    const b = open(bob);
    a.setPresence({ name: 'Alice', cursor: 3 });
    await alice.flush();
    expect(b.presence$.get().map((p) => p.state)).toEqual([{ name: 'Alice', cursor: 3 }]);
    alice.goOffline();
    await alice.flush();
    expect(b.presence$.get()).toEqual([]);
  });

  it('a reload is a second test client on the same storage: edits queued offline by the first go out from it', async () => {
    const storage = memoryStorage();
    const before = createTestClient({ hub, storage, online: false });
    const queued = open(before);
    await queued.set('title', 'queued before the reload');
    await queued.set('done', true);
    await before.flush();
    expect(await hub.head('team')).toBe(0);
    before.dispose(); // the page goes away with its edits still queued

    const after = createTestClient({ hub, storage });
    const reopened = open(after);
    const b = open(bob);
    await after.flush();
    expect(b.get()).toEqual({ title: 'queued before the reload', done: true });
    expect(reopened.get()).toEqual({ title: 'queued before the reload', done: true });
    expect(await hub.head('team')).toBe(2);
    after.dispose();
  });
});
