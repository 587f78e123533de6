// The hub and Yjs updates over the wire: hostile updates are refused by name with nothing applied
// and the hub keeps serving; valid ones are logged, merged with Y.mergeUpdates into snapshots,
// and a late joiner rebuilds the text from the snapshot plus the ops after it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { toBase64Url } from '../../lib/codec/bytes';
import type { HubOp } from '../../lib/protocol/hubMessages';
import { openSqliteLog } from '../../server/sqliteLog';
import { opsFrame, startHub, type StartedHub } from '../server/fixtures/hubFixture';
import { opIds, wsClient, type RawClient } from '../server/fixtures/rawClients';
import { yjsKind } from '../../yjs/yjsKind';

const ROOM = 'texts';
const DOC = 'note';

/** A Yjs update inserting `text` at `at` of a fresh replica that has `base` first. */
function typed(base: Uint8Array, at: number, text: string): Uint8Array {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, base);
  const before = Y.encodeStateVector(doc);
  doc.getText('body').insert(at, text);
  return Y.encodeStateAsUpdate(doc, before);
}

describe('the hub and Yjs updates', () => {
  let dir: string;
  let started: StartedHub;
  const clients: RawClient[] = [];
  const nextId = opIds('yjs');

  const open = async (): Promise<StartedHub> =>
    openSqliteLog({ path: join(dir, 'hub.db') }).then((log) => startHub({ log, snapshotEvery: 5 }));
  const joined = async (lastSeq = 0): Promise<RawClient> => {
    const client = await wsClient(started.url);
    clients.push(client);
    expect((await client.hello(ROOM, { lastSeq })).ok).toBe(true);
    return client;
  };
  const op = (body: unknown, doc = DOC): HubOp => ({ id: nextId(), doc, type: 'yjs', body: body as HubOp['body'] });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxsync-yjs-hub-'));
    started = await open();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
    await started.hub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses hostile updates with E_YJS_UPDATE_INVALID, applies none of them, and keeps serving', async () => {
    const a = await joined();
    const garbage = new Uint8Array(64).map((_, i) => (i * 97 + 13) & 255);
    const valid = typed(new Uint8Array([0, 0]), 0, 'ok');
    const hostile: [string, unknown][] = [
      ['a number', 42],
      ['an object', { yjs: 'no' }],
      ['not base64url', '@@@not base64@@@'],
      ['padded base64', `${toBase64Url(valid)}==`],
      ['random bytes', toBase64Url(garbage)],
      ['a truncated update', toBase64Url(valid.subarray(0, valid.length - 3))],
      ['a huge length prefix', toBase64Url(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]))],
      ['an unknown content type', toBase64Url(new Uint8Array([1, 1, 5, 0, 0x1f, 0, 0]))],
    ];
    const ops = hostile.map(([, body]) => op(body));
    await a.send(opsFrame(ops));
    await a.waitFor(() => a.messages('reject').reduce((n, m) => n + (m.data['ids'] as string[]).length, 0) === ops.length, 'every reject');
    for (const reject of a.messages('reject')) {
      // Bodies that are not text at all fail the op's shape check first; the rest are named Yjs refusals.
      expect(['E_YJS_UPDATE_INVALID', 'E_OP_INVALID']).toContain(reject.data['code']);
    }
    const refusedAsYjs = a.messages('reject').filter((m) => m.data['code'] === 'E_YJS_UPDATE_INVALID');
    expect(refusedAsYjs.flatMap((m) => m.data['ids'] as string[]).length).toBeGreaterThanOrEqual(hostile.length - 2);
    expect(await started.hub.value(ROOM, DOC)).toBeUndefined();
    expect(a.messages('op')).toHaveLength(0);

    // Still serving: a valid update is logged and broadcast.
    await a.send(opsFrame([op(toBase64Url(valid))]));
    await a.waitFor(() => a.messages('op').length === 1, 'the valid op');
    const doc = new Y.Doc();
    Y.applyUpdate(doc, (await started.hub.value(ROOM, DOC))?.value as Uint8Array);
    expect(doc.getText('body').toString()).toBe('ok');
  });

  it('compacts updates into snapshots with Y.mergeUpdates; a late joiner and a restarted hub rebuild the text', async () => {
    const a = await joined();
    let state: Uint8Array = new Uint8Array([0, 0]);
    const words = ['one ', 'two ', 'three ', 'four ', 'five ', 'six ', 'seven '];
    for (const word of words) {
      const update = typed(state, textLength(state), word);
      state = Y.mergeUpdates([state, update]);
      await a.send(opsFrame([op(toBase64Url(update))]));
      await a.waitFor(() => a.messages('op').length === words.indexOf(word) + 1, `op ${word}`);
    }
    const expected = words.join('');
    const late = await joined(0);
    await late.waitFor(() => late.messages('snapshot').length === 1, 'a snapshot');
    const snapshot = late.messages('snapshot')[0]?.data as unknown as { docs: { doc: string; type: string; state: string }[] };
    expect(snapshot.docs.map((d) => [d.doc, d.type])).toEqual([[DOC, 'yjs']]);
    let rebuilt = yjsKind.decode(snapshot.docs[0]?.state);
    // One merged update holding the first five ops (snapshotEvery: 5): the history before it is not resent.
    expect(textOf(rebuilt)).toBe(words.slice(0, 5).join(''));
    expect(late.messages('op').map((m) => m.seq)).toEqual([6, 7]);
    await late.waitFor(() => late.messages('welcome').length > 0, 'welcome');
    for (const m of late.messages('op')) rebuilt = yjsKind.merge(rebuilt, yjsKind.decode((m.data['op'] as HubOp).body));
    expect(textOf(rebuilt)).toBe(expected);

    await Promise.all(clients.splice(0).map((c) => c.close()));
    await started.hub.close();
    started = await open();
    expect(textOf((await started.hub.value(ROOM, DOC))?.value as Uint8Array)).toBe(expected);
  });
});

function textOf(update: Uint8Array): string {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return doc.getText('body').toString();
}

function textLength(update: Uint8Array): number {
  return textOf(update).length;
}
