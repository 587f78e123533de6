/**
 * @jest-environment jsdom
 */
// createLive in a real Svelte 5 component against a real hub (its own process; see hubProcess.mjs):
// value, conflicts, presence, status and pending, a document switch, and close on destroy.
import { flushSync, mount, unmount } from 'svelte';
import type { LiveMultiValue } from '../../lib/live/index';
import { liveDocuments } from '../../lib/live/liveRegistry';
import { createOutbox } from '../../lib/outbox/outbox';
import { createClient } from '../../lib/query/client';
import { memoryStorage } from '../../lib/storage/memoryStorage';
import { webSocket } from '../../transports/webSocket';
import LiveTitle from './components/LiveTitle.svelte';
import { startHubProcess, until, type HubProcess } from './support/hub';

type LiveApp = { show(doc: string): void; rename(value: string): Promise<void>; greet(name: string): void };

describe('createLive in a Svelte 5 component', () => {
  let hub: HubProcess;
  beforeAll(async () => {
    hub = await startHubProcess();
  });
  afterAll(() => hub.stop());

  function liveClient(room: string) {
    const outbox = createOutbox({ storage: memoryStorage(), retry: { initialDelay: 20, maxDelay: 200 } });
    const client = createClient({ outbox, live: liveDocuments });
    // jsdom's own WebSocket: a real socket to the hub.
    const transport = webSocket(`${hub.url.replace(/^http/, 'ws')}/ws`, {
      hello: { room },
      reconnect: { initialDelay: 20, maxDelay: 200 },
    });
    return { outbox, client, transport };
  }

  it('shows value, conflicts, presence, status and pending; switches documents; closes on destroy', async () => {
    const room = `svelte-${Date.now().toString(36)}`;
    const target = document.body.appendChild(document.createElement('div'));
    const ann = liveClient(room);
    const bob = liveClient(room);
    const bobTitle = bob.client.live({ room, doc: 'title.1', type: 'mv-register', transport: bob.transport }) as LiveMultiValue<string>;
    const text = (part: string): string => (flushSync(), target.querySelector(`.${part}`)!.textContent!);

    const app = mount(LiveTitle, { target, props: { client: ann.client, transport: ann.transport, room, first: 'title.1' } }) as LiveApp;
    expect(text('value')).toBe('-');
    await until(() => text('status') === 'joined', 'Ann joined');

    await bobTitle.set('Groceries');
    await until(() => text('value') === 'Groceries', "Bob's title shown");

    // Both rename before either sees the other: the register keeps both, a conflict on each side.
    await Promise.all([app.rename('Oat milk'), bobTitle.set('Soy milk')]);
    expect(text('value')).toBe('Oat milk'); // the local edit shows at once
    await until(() => text('conflicts') === 'Oat milk|Soy milk', 'the conflict shown');
    await until(() => text('pending') === '0', 'the edit acknowledged');

    bobTitle.setPresence({ name: 'Bob' });
    await until(() => text('presence') === '{"name":"Bob"}', "Bob's presence shown");
    app.greet('Ann');
    await until(() => bobTitle.presence$.get().some((peer) => JSON.stringify(peer.state) === '{"name":"Ann"}'), 'Bob sees Ann');

    // Another document, read from $state: its value replaces the old one's.
    const bobSecond = bob.client.live({ room, doc: 'title.2', type: 'mv-register', transport: bob.transport }) as LiveMultiValue<string>;
    await bobSecond.set('Errands');
    await bobSecond.synced();
    app.show('title.2');
    flushSync();
    expect(target.querySelector('p')!.dataset.doc).toBe('title.2');
    await until(() => text('value') === 'Errands', 'the second document shown');
    expect(text('conflicts')).toBe(''); // the new document's conflicts (none), not the old one's

    // Destroyed: Ann's documents close, so does her room connection, and Bob sees her leave.
    await unmount(app);
    await until(() => bobTitle.presence$.get().length === 0, 'Ann left the room');

    bobTitle.close();
    bobSecond.close();
    ann.outbox.close();
    bob.outbox.close();
    target.remove();
  });
});
