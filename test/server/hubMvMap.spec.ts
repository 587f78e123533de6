import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHlc, mvMap, newestStamp, type Hlc, type Json } from '../../lib/crdt/index.js';
import type { HubOp } from '../../lib/protocol/hubMessages.js';
import { memoryLog } from '../../server/memoryLog.js';
import type { OpLog } from '../../server/opLog.js';
import { openSqliteLog } from '../../server/sqliteLog.js';
import { opsFrame, startHub, type StartedHub } from './fixtures/hubFixture.js';
import { opIds, wsClient, type RawClient } from './fixtures/rawClients.js';

// A per-field multi-value map through a real hub: two writers edit one form concurrently, the hub
// logs, merges, snapshots and broadcasts their one-field deltas, and a late reader sees which
// fields conflict; a resolving write clears exactly that field's conflict.
interface LogKind {
  /** Whether a hub reopening the same log finds the room again. */
  readonly durable: boolean;
  open(): Promise<OpLog>;
  cleanup(): void;
}

const logKinds: [string, () => LogKind][] = [
  ['memory log', () => ({ durable: false, open: async () => memoryLog(), cleanup: () => undefined })],
  [
    'SQLite log',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'rxsync-mvmap-'));
      return {
        durable: true,
        open: () => openSqliteLog({ path: join(dir, 'hub.db') }),
        cleanup: () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  ],
];

type Form = mvMap.MvMap<Json>;
const ROOM = 'forms';
const DOC = 'profile';

describe.each(logKinds)('a hub on a %s', (name, makeLog) => {
  let logKind: LogKind;
  let started: StartedHub;
  const clients: RawClient[] = [];
  const nextId = opIds('mvmap');

  beforeEach(async () => {
    logKind = makeLog();
    started = await startHub({ log: await logKind.open(), snapshotEvery: 5 });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
    await started.hub.close();
    logKind.cleanup();
  });

  const join = async (): Promise<RawClient> => {
    const client = await wsClient(started.url);
    clients.push(client);
    expect((await client.hello(ROOM)).ok).toBe(true);
    return client;
  };
  const op = (delta: Form): HubOp => ({ id: nextId(), doc: DOC, type: 'mv-map', body: mvMap.encode(delta) as unknown as Json });
  /** Sends ops, each a one-field delta merged into `state` first, and waits for the hub's acks. */
  const write = async (client: RawClient, state: Form, edits: ((s: Form) => Form)[]): Promise<Form> => {
    const ops: HubOp[] = [];
    for (const edit of edits) {
      const delta = edit(state);
      state = mvMap.merge(state, delta);
      ops.push(op(delta));
    }
    const acked = client.messages('ack').length;
    await client.send(opsFrame(ops));
    await client.waitFor(() => client.messages('ack').length > acked, 'ack');
    expect(client.messages('reject')).toEqual([]);
    return state;
  };
  /** What a client joining with `lastSeq: 0` rebuilds: the snapshot, then the ops after it. */
  const rebuild = (client: RawClient): { state: Form; snapshotSeq: unknown } => {
    const snapshot = client.messages('snapshot')[0];
    const docs = (snapshot?.data['docs'] ?? []) as { doc: string; type: string; state: unknown }[];
    expect(docs.map((d) => [d.doc, d.type])).toEqual(snapshot === undefined ? [] : [[DOC, 'mv-map']]);
    let state = docs.length === 0 ? mvMap.create<Json>() : mvMap.decode(JSON.parse(JSON.stringify(docs[0]?.state)));
    for (const m of client.messages('op')) state = mvMap.merge(state, mvMap.decode((m.data['op'] as HubOp).body));
    return { state, snapshotSeq: snapshot?.data['seq'] };
  };
  const conflicted = (state: Form): Record<string, Json[]> =>
    Object.fromEntries(Object.entries(mvMap.conflicts(state)).map(([field, siblings]) => [field, siblings.map((s) => s.value)]));

  it(`keeps concurrent values of a field as a conflict in its snapshot, and a resolving write clears only that field (${name})`, async () => {
    const [ann, bob, cid] = ['ann', 'bob', 'cid'].map((nodeId) => createHlc({ nodeId })) as [Hlc, Hlc, Hlc];
    const a = await join();
    const b = await join();
    // Neither writer has seen the other: their writes to email and phone are concurrent.
    await write(a, mvMap.create(), [
      (s) => mvMap.set(s, 'email', 'ann@home.example', ann.tick()),
      (s) => mvMap.set(s, 'phone', '111', ann.tick()),
      (s) => mvMap.set(s, 'name', 'Ann', ann.tick()),
    ]);
    await write(b, mvMap.create(), [
      (s) => mvMap.set(s, 'email', 'ann@work.example', bob.tick()),
      (s) => mvMap.set(s, 'phone', '222', bob.tick()),
    ]);
    // Both writers receive every op of the room, each other's included, as mv-map deltas.
    for (const c of [a, b]) {
      await c.waitFor(() => c.messages('op').length === 5, 'all 5 ops');
      expect(c.messages('op').map((m) => (m.data['op'] as HubOp).type)).toEqual(Array(5).fill('mv-map'));
    }
    const hubView = await started.hub.value(ROOM, DOC);
    expect(hubView).toEqual({ type: 'mv-map', value: { email: 'ann@work.example', phone: '222', name: 'Ann' } });

    // A third client joining later gets the snapshot taken at seq 5: the conflicts are in it.
    const c = await join();
    await c.waitFor(() => c.messages('peers').length === 1, 'joined');
    const late = rebuild(c);
    expect(late.snapshotSeq).toBe(5);
    expect(c.messages('op')).toEqual([]);
    expect(conflicted(late.state)).toEqual({ email: ['ann@home.example', 'ann@work.example'], phone: ['111', '222'] });
    expect({ ...mvMap.value(late.state) }).toEqual({ email: 'ann@work.example', phone: '222', name: 'Ann' });

    // It resolves the email conflict with one write (then edits a note, so the hub snapshots again).
    const newest = newestStamp(mvMap.version(late.state));
    if (newest !== undefined) cid.receive(newest);
    await write(c, late.state, [
      (s) => mvMap.set(s, 'email', 'ann@new.example', cid.tick()),
      ...[1, 2, 3, 4].map((n) => (s: Form) => mvMap.set(s, 'note', `draft ${n}`, cid.tick())),
    ]);
    const d = await join();
    await d.waitFor(() => d.messages('peers').length === 1, 'joined');
    const after = rebuild(d);
    expect(after.snapshotSeq).toBe(10);
    expect(conflicted(after.state)).toEqual({ phone: ['111', '222'] });
    expect({ ...mvMap.value(after.state) }).toEqual({ email: 'ann@new.example', phone: '222', name: 'Ann', note: 'draft 4' });
    // The first writers converge on the same state from the ops broadcast to them.
    for (const w of [a, b]) {
      await w.waitFor(() => w.messages('op').length === 10, 'all 10 ops');
      expect(mvMap.encode(rebuild(w).state)).toEqual(mvMap.encode(after.state));
    }
    if (logKind.durable) {
      // A restarted hub reloads the room (snapshot + log) to the same merged document.
      const before = await started.hub.value(ROOM, DOC);
      await Promise.all(clients.splice(0).map((client) => client.close()));
      await started.hub.close();
      started = await startHub({ log: await logKind.open(), snapshotEvery: 5 });
      expect(await started.hub.value(ROOM, DOC)).toEqual(before);
    }
  });

  it(`refuses an invalid mv-map op naming the field, and keeps the document intact (${name})`, async () => {
    const ann = createHlc({ nodeId: 'ann' });
    const a = await join();
    await write(a, mvMap.create(), [(s) => mvMap.set(s, 'email', 'ann@home.example', ann.tick())]);
    const stamp = ann.tick();
    const bad: HubOp = {
      id: nextId(),
      doc: DOC,
      type: 'mv-map',
      body: {
        type: 'mv-map',
        v: 1,
        fields: [
          [
            'email',
            [
              [stamp, { bad: [1, 'x', { deep: null }], n: '\u0000' }],
              [stamp, 2],
            ],
          ],
        ],
      },
    };
    await a.send(opsFrame([bad]));
    await a.waitFor(() => a.messages('reject').length === 1, 'reject');
    const reject = a.messages('reject')[0]!.data;
    expect(reject['code']).toBe('E_OP_INVALID');
    expect(String(reject['message'])).toMatch(/mv-map: fields\.email\[1\]\[0\] must be greater than the previous stamp/);
    expect(await started.hub.value(ROOM, DOC)).toEqual({ type: 'mv-map', value: { email: 'ann@home.example' } });
  });
});
