/**
 * @jest-environment ./test/react/support/reactEnvironment.cjs
 */
// useLive through the real react-dom against a real hub on 127.0.0.1 (SQLite log): the component
// shows the room's status, a peer's presence, a multi-value conflict made with a second client and
// its resolution; unmounting closes the room (the peer sees this client leave).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { act, createElement } from 'react';
import { RxSyncProvider, useLive, type LiveView } from 'rxsync/react';
import type { LiveMultiValue } from 'rxsync';
import { until } from '../e2e/support/liveClients';
import { sqliteTarget, type LiveTarget } from '../e2e/support/liveTarget';
import { mount, waitUntil } from './support/render';

let dir: string;
let target: LiveTarget & { close(): Promise<void> };
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rxsync-react-live-'));
  target = await sqliteTarget(dir);
});
afterEach(async () => {
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a component shows status, presence and an mv-register conflict from a real hub, and leaves the room on unmount', async () => {
  const room = 'react-live';
  const ann = target.client('websocket', room);
  const bob = target.client('websocket', room);
  const views: LiveView<LiveMultiValue<string>>[] = [];
  function Colour() {
    const live = useLive<string>({ room, doc: 'colour', type: 'mv-register', transport: ann.transport });
    views.push(live);
    return createElement(
      'p',
      null,
      `${live.status.joined ? 'joined' : live.status.state} ${live.value ?? '-'} ${live.conflicts
        .map((s) => s.value)
        .sort()
        .join('|')} ${live.presence.length}`,
    );
  }
  const view = await mount(createElement(RxSyncProvider, { client: ann.client }, createElement(Colour)), { strict: true });
  let mounted = true;
  const text = (): string => view.container.textContent ?? '';
  expect(views[0]!.status.joined).toBe(false); // a view on the first render, before the room answered
  await waitUntil(() => text().startsWith('joined'), 'ann joined');

  const bobDoc = bob.client.live<string>({ room, doc: 'colour', type: 'mv-register', transport: bob.transport });
  try {
    bobDoc.setPresence({ name: 'Bob' });
    await waitUntil(() => JSON.stringify(views.at(-1)!.presence.map((p) => p.state)) === '[{"name":"Bob"}]', "bob's presence shows");
    expect(text().endsWith(' 1')).toBe(true);

    // Written before either has seen the other's: concurrent, so both values are kept.
    const annDoc = views.at(-1)!.doc;
    await act(async () => {
      await Promise.all([annDoc.set('red'), bobDoc.set('blue')]);
    });
    await waitUntil(() => text().includes('blue|red'), 'the conflict shows in the component');
    expect(views.at(-1)!.pending).toBe(0);

    await act(() => views.at(-1)!.doc.set('purple')); // resolves: replaces every sibling ann has seen
    await waitUntil(() => text() === 'joined purple  1', 'resolved in the component');
    await waitUntil(() => bobDoc.get() === 'purple' && bobDoc.conflicts$.get().length === 0, 'bob sees the resolution');

    await view.unmount();
    mounted = false;
    await until(() => bobDoc.presence$.get().length === 0, 'bob sees ann leave the room');
  } finally {
    if (mounted) await view.unmount();
    bobDoc.close();
    ann.close();
    bob.close();
  }
});
