// Sealed snapshots of an end-to-end room through the real hub: a client seals the room's state (a
// yjs text and an lww-map) once the log is long, the hub stores the envelopes without reading them,
// and a new client starts from the snapshot plus only the later ops. A tampered snapshot is refused
// and the client replays the whole log instead; hostile snapshot messages are refused by name.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Y from 'yjs';
import type { RxSyncError } from '../../lib/errors';
import { tap } from 'rxjs';
import type { LiveCodec } from '../../lib/live/liveCodec';
import type { LiveTransport } from '../../lib/live/liveTransport';
import type { LiveMap } from '../../lib/live/docs/liveMap';
import { allow } from '../../server/auth';
import { memoryLog } from '../../server/memoryLog';
import { openSqliteLog } from '../../server/sqliteLog';
import type { LiveYDoc } from '../../yjs/index';
import { startHub } from '../server/fixtures/hubFixture';
import { wsClient } from '../server/fixtures/rawClients';
import { textOf, yjsClient, type YjsClient } from '../yjs/support/yjsClients';
import { roomCodec } from './scenarios/e2eRoom';
import { canonical, until } from './support/liveClients';
import { sqliteTarget } from './support/liveTarget';

const SECRET = 'the snapshot room secret, long enough for HKDF';
const EVERY = 20;

interface Member {
  readonly client: YjsClient;
  readonly text: LiveYDoc;
  readonly map: LiveMap<Record<string, string>>;
  /** Hub messages this client received, in order. */
  readonly received: { kind: string; seq?: number }[];
  readonly errors: RxSyncError[];
  close(): void;
}

async function member(base: string, room: string, snapshotEvery: number): Promise<Member> {
  const client = yjsClient(base, room);
  const codec: LiveCodec = await roomCodec(SECRET, room);
  const received: { kind: string; seq?: number }[] = [];
  const errors: RxSyncError[] = [];
  // The room's own transport, recording what it delivers (a second subscriber would keep the
  // connection open when the room rejoins).
  const inner = client.transport;
  const transport: LiveTransport = {
    messages$: inner.messages$.pipe(tap((data) => received.push(data as { kind: string; seq?: number }))),
    status$: inner.status$,
    get cursor() {
      return inner.cursor;
    },
    set cursor(cursor) {
      inner.cursor = cursor;
    },
    send: (message) => inner.send(message),
  };
  const text = client.client.live<Y.Doc>({ room, doc: 'notes', type: 'yjs', transport, codec, snapshotEvery });
  const map = client.client.live<Record<string, string>>({ room, doc: 'meta', type: 'lww-map', transport, codec });
  const subs = [text.errors$.subscribe((e) => errors.push(e))];
  return {
    client,
    text,
    map,
    received,
    errors,
    close: () => {
      subs.forEach((s) => s.unsubscribe());
      text.close();
      map.close();
      client.close();
    },
  };
}

const kinds = (m: Member, kind: string): { kind: string; seq?: number }[] => m.received.filter((r) => r.kind === kind);
const snapshottedSeq = (m: Member): number => Math.max(0, ...kinds(m, 'snapshotted').map((r) => r.seq ?? 0));

describe('sealed snapshots in an end-to-end room (real hub, SQLite)', () => {
  let dir: string;
  let target: Awaited<ReturnType<typeof sqliteTarget>>;
  const members: Member[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxsync-e2e-snapshot-'));
    target = await sqliteTarget(dir);
  });
  afterAll(async () => {
    members.splice(0).forEach((m) => m.close());
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Ann writes `edits` sealed edits to the text and the map, one op each, waiting for each ack. */
  const write = async (ann: Member, from: number, edits: number): Promise<void> => {
    for (let i = from; i < from + edits; i++) {
      ann.text.ydoc.getText('body').insert(0, `line ${i} of the lighthouse log\n`);
      await ann.text.synced();
      if (i % 3 === 0) {
        await ann.map.set(`k${i}`, `keeper ${i}`);
        await ann.map.synced();
      }
    }
  };

  it('a new client gets the snapshot plus only the later ops, ends equal, and the hub stores no plaintext', async () => {
    const room = 'e2e:lighthouse';
    const ann = await member(target.url(0), room, EVERY);
    members.push(ann);
    await write(ann, 0, 70);
    await until(() => snapshottedSeq(ann) >= EVERY, 'Ann sealed a snapshot the hub took');
    const covered = snapshottedSeq(ann);
    ann.close();
    // Bob, who never seals, writes a few edits after the last snapshot, so a new client needs ops too.
    const bob = await member(target.url(0), room, 0);
    members.push(bob);
    await until(() => textOf(bob.text) === textOf(ann.text), 'Bob reads the text');
    await write(bob, 70, 4);
    const carol = await member(target.url(0), room, 0);
    members.push(carol);
    await until(() => kinds(carol, 'peers').length > 0, 'Carol joined');
    const { head } = kinds(carol, 'welcome')[0] as unknown as { head: number };
    const snapshot = kinds(carol, 'snapshot');
    expect(snapshot).toHaveLength(1);
    const from = snapshot[0]?.seq ?? 0;
    expect(from).toBeGreaterThanOrEqual(covered);
    // Only the ops after the snapshot came (before the join's `peers`), not the whole log.
    const replayed = carol.received
      .slice(
        0,
        carol.received.findIndex((r) => r.kind === 'peers'),
      )
      .filter((r) => r.kind === 'op');
    expect(replayed).toHaveLength(head - from);
    expect(head - from).toBeGreaterThanOrEqual(4);
    expect(head - from).toBeLessThan(head / 2);
    await until(() => textOf(carol.text) === textOf(bob.text), 'Carol reads the whole text');
    await until(() => canonical(carol.map.get()) === canonical(bob.map.get()), 'Carol has the whole map');
    expect(textOf(carol.text).split('\n')).toHaveLength(75);
    expect(Object.keys(carol.map.get())).toHaveLength(25);
    expect(carol.errors).toEqual([]);

    const stored = await target.storedText();
    expect(stored).not.toContain('lighthouse log');
    expect(stored).not.toContain('keeper');
  }, 60_000);

  it('a tampered snapshot is refused (E_SNAPSHOT_INVALID); the client replays the log and still converges', async () => {
    const room = 'e2e:tampered';
    const ann = await member(target.url(0), room, 0);
    members.push(ann);
    await write(ann, 0, 12);
    // A member without the key (or a hostile one) stores a forged snapshot: the hub cannot tell.
    const mallory = await wsClient(target.url(0));
    await mallory.hello(room);
    const head = (mallory.messages('welcome')[0]?.data as unknown as { head: number }).head;
    const forged = [
      { doc: 'notes', type: 'yjs', state: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      { doc: 'meta', type: 'lww-map', state: 'forged-envelope' },
    ];
    await mallory.send({ v: 1, type: 'data', data: { kind: 'snapshot', seq: head, docs: forged } });
    await mallory.waitFor(() => mallory.messages('snapshotted').some((m) => m.data['seq'] === head), 'the hub stored it');
    await mallory.close();

    const dave = await member(target.url(0), room, 0);
    members.push(dave);
    await until(() => dave.errors.some((e) => e.code === 'E_SNAPSHOT_INVALID'), 'Dave refuses the snapshot');
    await until(() => textOf(dave.text) === textOf(ann.text), 'Dave reads the whole text anyway');
    await until(() => canonical(dave.map.get()) === canonical(ann.map.get()), 'Dave has the whole map');
    // The replay without the snapshot brought every op of the log.
    expect(kinds(dave, 'op').length).toBeGreaterThanOrEqual(head);
  });
});

describe('hostile snapshot messages', () => {
  it('are refused by name and change nothing', async () => {
    const log = memoryLog();
    const { hub, url } = await startHub({
      log,
      limits: { maxSnapshotBytes: 1000 },
      authenticate: (token) => (token === 'reader' ? allow('reader', { readOnly: true }) : allow()),
    });
    const room = 'e2e:hostile';
    try {
      const writer = await wsClient(url);
      await writer.hello(room);
      const op = { id: 'op-1', doc: 'd', type: 'lww-map', body: 'sealed-op' };
      await writer.send({ v: 1, type: 'data', data: { kind: 'ops', ops: [op] } });
      await writer.waitFor(() => writer.messages('ack').length > 0, 'the op is acked');
      const snapshot = (seq: number, state: unknown = 'sealed'): unknown => ({
        v: 1,
        type: 'data',
        data: { kind: 'snapshot', seq, docs: [{ doc: 'd', type: 'lww-map', state }] },
      });
      const refusal = async (client: typeof writer, frame: unknown, count: number): Promise<string | undefined> => {
        await client.send(frame);
        await client.waitFor(() => client.errors().length >= count, `error ${count}`);
        return client.errors()[count - 1]?.code;
      };
      expect(await refusal(writer, snapshot(2), 1)).toBe('E_SNAPSHOT_AHEAD');
      expect(await refusal(writer, snapshot(1, 'x'.repeat(2000)), 2)).toBe('E_TOO_LARGE');
      expect(await refusal(writer, snapshot(1, 42), 3)).toBe('E_MESSAGE_INVALID');
      expect(await refusal(writer, { v: 1, type: 'data', data: { kind: 'snapshot', seq: 1, docs: [] } }, 4)).toBe('E_MESSAGE_INVALID');
      expect(await refusal(writer, snapshot(0), 5)).toBe('E_MESSAGE_INVALID');

      const reader = await wsClient(url);
      await reader.hello(room, { token: 'reader' });
      expect(await refusal(reader, snapshot(1), 1)).toBe('E_READ_ONLY');

      const plain = await wsClient(url);
      await plain.hello('plain-room');
      expect(await refusal(plain, snapshot(1), 1)).toBe('E_SNAPSHOT_INVALID');

      // None of these was stored; a valid one is, and an older one after it is stale.
      expect(await log.snapshot(room)).toBeUndefined();
      await writer.send(snapshot(1));
      await writer.waitFor(() => writer.messages('snapshotted').length > 0, 'stored');
      expect(await refusal(writer, snapshot(1), 6)).toBe('E_SNAPSHOT_STALE');
      expect((await log.snapshot(room))?.seq).toBe(1);
      await Promise.all([writer.close(), reader.close(), plain.close()]);
    } finally {
      await hub.close();
    }
  });

  it('a stored sealed snapshot survives a hub restart and is served to a new client', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxsync-e2e-snapshot-restart-'));
    const path = join(dir, 'hub.db');
    const room = 'e2e:restart';
    try {
      const first = await startHub({ log: await openSqliteLog({ path }) });
      const writer = await wsClient(first.url);
      await writer.hello(room);
      const ops = [1, 2, 3].map((n) => ({ id: `op-${n}`, doc: 'd', type: 'lww-map', body: `sealed-op-${n}` }));
      await writer.send({ v: 1, type: 'data', data: { kind: 'ops', ops } });
      await writer.waitFor(() => writer.messages('ack').length > 0, 'the ops are acked');
      const docs = [{ doc: 'd', type: 'lww-map', state: 'sealed-state-at-2' }];
      await writer.send({ v: 1, type: 'data', data: { kind: 'snapshot', seq: 2, docs } });
      await writer.waitFor(() => writer.messages('snapshotted').length > 0, 'stored');
      await writer.close();
      await first.hub.close();

      const second = await startHub({ log: await openSqliteLog({ path }) });
      try {
        const reader = await wsClient(second.url);
        await reader.hello(room);
        expect(reader.messages('snapshot').map((m) => m.data)).toEqual([{ kind: 'snapshot', seq: 2, docs }]);
        expect(reader.messages('op').map((m) => m.seq)).toEqual([3]);
        expect(reader.messages('snapshotted').map((m) => m.data['seq'])).toEqual([2]);
        // Asking for the ops instead (a client that refused the snapshot) replays them all.
        const refuser = await wsClient(second.url);
        await refuser.send({ v: 1, type: 'hello', lastSeq: 0, room, snapshot: false });
        await refuser.waitFor(() => refuser.messages('peers').length > 0, 'joined');
        expect(refuser.messages('snapshot')).toEqual([]);
        expect(refuser.messages('op').map((m) => m.seq)).toEqual([1, 2, 3]);
        await Promise.all([reader.close(), refuser.close()]);
      } finally {
        await second.hub.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
