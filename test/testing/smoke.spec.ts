import { createTestClient, createTestHub } from 'rxsync/testing';

test('smoke', async () => {
  const hub = createTestHub();
  const alice = createTestClient({ hub });
  const bob = createTestClient({ hub });
  const a = alice.client.live({ room: 'r', doc: 'n', type: 'lww-map', transport: alice.transport('r') });
  const b = bob.client.live({ room: 'r', doc: 'n', type: 'lww-map', transport: bob.transport('r') });
  await a.set('title', 'hi');
  await alice.flush();
  expect(b.value$.get()).toEqual({ title: 'hi' });
  expect(await hub.head('r')).toBe(1);
  alice.goOffline();
  await a.set('x', 1);
  await alice.flush();
  expect(b.value$.get()).toEqual({ title: 'hi' });
  alice.goOnline();
  await alice.flush();
  expect(b.value$.get()).toEqual({ title: 'hi', x: 1 });
  a.close?.(); b.close?.();
  alice.dispose(); bob.dispose();
  await hub.close();
  alice.clock.dispose();
});
