// A client process edits offline, is killed mid-burst, restarts on the same storage and syncs:
// every edit it reported queued must reach the hub's log and another client.
import { join } from 'node:path';
import { freePort } from '../../transports/support/wait';
import { until } from '../support/liveClients';
import type { LiveTarget } from '../support/liveTarget';
import { runNode } from '../support/processes';

const child = join(__dirname, '..', 'fixtures', 'liveChild.mjs');

/**
 * The client process keeps its outbox in `storage`; the observer joins first (a cluster's next
 * hub), the restarted process syncs through the hub `target.url(1)`.
 */
export async function offlineRestartScenario(target: LiveTarget, room: string, via: 'websocket' | 'sse', storage: string): Promise<void> {
  const observer = target.client('websocket', room);
  const notes = observer.client.live({ room, doc: 'notes', type: 'lww-map', transport: observer.transport });
  try {
    // Offline: the hub address has nothing listening.
    const offline = `http://127.0.0.1:${await freePort()}`;
    const token = target.token === undefined ? [] : [target.token];
    const writer = runNode(child, ['edit', storage, offline, room, '25', via, ...token]);
    await writer.line(/^queued 12$/);
    writer.child.kill('SIGKILL'); // mid-burst: some edits durable, some not yet started
    await writer.exited;
    const queued = writer.lines.filter((l) => l.startsWith('queued ')).map((l) => `n${l.slice(7)}`);
    expect(queued.length).toBeGreaterThanOrEqual(13);
    expect(notes.get()).toEqual({});

    const syncer = runNode(child, ['sync', storage, target.url(1), room, '0', via, ...token]);
    const synced = JSON.parse((await syncer.line(/^synced /)).slice(7)) as Record<string, string>;
    expect(await syncer.exited).toBe(0);
    for (const field of queued) expect(synced[field]).toBe(`offline edit ${field.slice(1)}`);

    await until(() => queued.every((field) => field in notes.get()), 'the observer saw every queued edit');
    const onHub = (await target.value(room, 'notes'))?.value as Record<string, string>;
    for (const field of queued) expect(onHub[field]).toBe(`offline edit ${field.slice(1)}`);
  } finally {
    notes.close();
    observer.close();
  }
}
