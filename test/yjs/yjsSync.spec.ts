import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from '../e2e/support/liveClients';
import { sqliteTarget } from '../e2e/support/liveTarget';
import { textOf, yjsClient, type YjsClient } from './support/yjsClients';
import { createClient } from '../../lib/query/client';
import { createOutbox } from '../../lib/outbox/outbox';
import { liveDocuments } from '../../lib/live/liveRegistry';
import { memoryStorage } from '../../lib/storage/memoryStorage';

describe('yjs documents through the real hub', () => {
  let dir: string;
  let target: Awaited<ReturnType<typeof sqliteTarget>>;
  const clients: YjsClient[] = [];
  const client = (room: string): YjsClient => {
    const made = yjsClient(target.url(0), room);
    clients.push(made);
    return made;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxsync-yjs-'));
    target = await sqliteTarget(dir);
  });

  afterEach(() => clients.splice(0).forEach((c) => c.close()));

  afterAll(async () => {
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('local edits reach the other client, are acknowledged, and are not echoed back', async () => {
    const annClient = client('notes');
    const annAcks: string[] = [];
    annClient.outbox.ack$.subscribe(({ op }) => annAcks.push(op.id));
    const ann = annClient.open('n1');
    const bob = client('notes').open('n1');
    ann.ydoc.getText('body').insert(0, 'Hello');
    expect(ann.pending$.get()).toBe(0); // batched: queued at the end of the tick
    await Promise.resolve();
    expect(ann.pending$.get()).toBe(1);
    await ann.synced();
    expect(ann.pending$.get()).toBe(0);
    expect(ann.lastAck$.get()?.id).toEqual(expect.any(String));
    await until(() => textOf(bob) === 'Hello', "Bob sees Ann's text");
    bob.ydoc.getText('body').insert(5, ', world');
    await bob.synced();
    await until(() => textOf(ann) === 'Hello, world', "Ann sees Bob's text");
    // Ann queued one update (hers), never Bob's: remote updates are applied under the handle's origin.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(annAcks).toEqual([ann.lastAck$.get()?.id]);
    const value = await target.value('notes', 'n1');
    expect(value?.type).toBe('yjs');
  });

  it('type yjs without the registration is refused, naming what to import', () => {
    const outbox = createOutbox({ storage: memoryStorage() });
    const plain = createClient({ outbox, live: liveDocuments });
    const transport = client('notes').transport;
    expect(() => plain.live({ room: 'notes', doc: 'n', type: 'yjs', transport })).toThrow(
      expect.objectContaining({ code: 'E_DOC_TYPE_UNAVAILABLE', message: expect.stringContaining("'rxsync/yjs'") }),
    );
    outbox.close();
  });
});
