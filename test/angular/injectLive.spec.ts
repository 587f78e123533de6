// injectLive against a real hub on 127.0.0.1 (WebSocket through `ws`), in a real Angular application.
import { effect, signal } from '@angular/core';
import { createClient, createOutbox, liveDocuments, memoryStorage, type Outbox } from 'rxsync';
import { injectLive, provideRxSync } from 'rxsync/angular';
import { startHub, type StartedHub } from '../server/fixtures/hubFixture';
import { hubTransport, liveClient, type LiveClient } from '../e2e/support/liveClients';
import { startApp, until, type TestApp } from './angularApp';

let hub: StartedHub;
let app: TestApp | undefined;
let other: LiveClient | undefined;
let outbox: Outbox;

beforeEach(async () => {
  hub = await startHub();
  outbox = createOutbox({ storage: memoryStorage() });
  app = await startApp([provideRxSync(() => createClient({ outbox, live: liveDocuments }))]);
});
afterEach(async () => {
  try {
    app?.destroy();
    other?.close();
  } finally {
    other = undefined;
    await hub.hub.close();
  }
});

const room = 'ng-room';

it('shows value, status and presence as signals, edits through the handle, and closes the room with the component', async () => {
  const transport = hubTransport(hub.url, 'websocket', { room });
  const component = app!.child();
  const metrics = injectLive(() => ({ room, doc: 'metrics', type: 'lww-map', transport }), { injector: component });
  expect(metrics.value()).toEqual({});
  expect(metrics.status().joined).toBe(false);
  const joined: boolean[] = [];
  effect(() => void joined.push(metrics.status().joined), { injector: component });
  await until(() => metrics.status().joined, 'joined');
  await until(() => joined.includes(true), 'the effect saw the join (zoneless scheduling)');

  // Another client writes and announces itself: both show up.
  other = liveClient(hub.url, 'websocket', room);
  const remote = other.client.live({ room, doc: 'metrics', type: 'lww-map', transport: other.transport });
  remote.setPresence({ name: 'node' });
  await remote.set('cpu', 42);
  await until(() => metrics.value()['cpu'] === 42, 'the remote value');
  await until(() => metrics.presence().some((peer) => (peer.state as { name?: string } | null)?.name === 'node'), 'presence');

  // A local edit through the handle: shown at once, pending until the hub acks it, then reaches the other client.
  const edit = metrics.doc().set('memory', 61);
  expect(metrics.value()['memory']).toBe(61);
  await edit;
  await metrics.doc().synced();
  expect(metrics.pending()).toBe(0);
  await until(() => remote.get()['memory'] === 61, 'the other client got the edit');

  // Destroying the component closes the document: our peer leaves the room.
  await until(() => remote.presence$.get().length === 1, 'the other client sees us');
  component.destroy();
  await until(() => remote.presence$.get().length === 0, 'our connection closed');
  remote.close();
});

it('switches documents when a signal in its options changes, keeping the shared room connected', async () => {
  const transport = hubTransport(hub.url, 'websocket', { room });
  other = liveClient(hub.url, 'websocket', room);
  const a = other.client.live({ room, doc: 'a', type: 'pn-counter', transport: other.transport });
  const b = other.client.live({ room, doc: 'b', type: 'pn-counter', transport: other.transport });
  await a.add(1);
  await b.add(5);
  const doc = signal('a');
  const counter = injectLive(() => ({ room, doc: doc(), type: 'pn-counter', transport }), { injector: app!.child() });
  await until(() => counter.value() === 1, 'doc a');
  const peer = counter.status().peer;
  doc.set('b');
  await until(() => counter.value() === 5, 'doc b');
  // Same room, same connection: the new document opened before the old one closed.
  expect(counter.status()).toEqual(expect.objectContaining({ joined: true, peer }));
  await counter.doc().add(1);
  await until(() => b.get() === 6, 'the edit went to b');
  expect(a.get()).toBe(1);
  a.close();
  b.close();
});

it('shows a multi-value register’s conflicts', async () => {
  const transport = hubTransport(hub.url, 'websocket', { room });
  const register = injectLive(() => ({ room, doc: 'title', type: 'mv-register', transport }), { injector: app!.child() });
  expect(register.conflicts()).toEqual([]);
  other = liveClient(hub.url, 'websocket', room);
  const remote = other.client.live({ room, doc: 'title', type: 'mv-register', transport: other.transport });
  // Concurrent writes: neither saw the other's before writing.
  await Promise.all([register.doc().set('ours'), remote.set('theirs')]);
  await until(() => register.conflicts().length === 2, 'both values kept side by side');
  expect(
    register
      .conflicts()
      .map((sibling) => sibling.value)
      .sort(),
  ).toEqual(['ours', 'theirs']);
  remote.close();
});
