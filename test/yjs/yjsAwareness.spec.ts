import fc from 'fast-check';
import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import { signal } from '../../lib/signals/signal';
import type { PeerPresence } from '../../lib/protocol/hubMessages';
import type { Json } from '../../lib/crdt/json';
import { createHub, memoryLog, type Hub } from '../../server/index';
import { readAwarenessPresence, ROOM_ORIGIN, yjsAwareness } from '../../yjs/yjsAwareness';
import { liveClient, until, type LiveClient } from '../e2e/support/liveClients';
import { fcParams } from '../support/fc';

/** Everything a person in the room has: a client, a live document (for its room), a Y.Doc, an Awareness. */
interface Person {
  readonly live: LiveClient;
  readonly handle: { close(): void };
  readonly doc: Y.Doc;
  readonly awareness: Awareness;
}

describe('yjsAwareness through a real hub', () => {
  let hub: Hub;
  let url: string;
  const people: Person[] = [];

  beforeAll(async () => {
    hub = createHub({ log: memoryLog() });
    url = (await hub.listen(0, '127.0.0.1')).url;
  });

  afterEach(() => {
    for (const p of people.splice(0)) {
      p.awareness.destroy();
      p.handle.close();
      p.live.close();
    }
  });

  afterAll(() => hub.close());

  function join(room: string): Person {
    const live = liveClient(url, 'websocket', room);
    const handle = live.client.live({ room, doc: 'text', type: 'lww-map', transport: live.transport });
    const doc = new Y.Doc();
    const awareness = new Awareness(doc);
    yjsAwareness(handle, awareness, { throttleMs: 20 });
    const person = { live, handle, doc, awareness };
    people.push(person);
    return person;
  }

  it("shows each other's user and cursor under the sender's client id, updates and removals", async () => {
    const ann = join('a1');
    const bob = join('a1');
    const changes: Array<{ added: number[]; updated: number[]; removed: number[]; origin: unknown }> = [];
    bob.awareness.on('change', (c: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) =>
      changes.push({ ...c, origin }),
    );

    // Ann's caret as y-codemirror.next sets it: relative positions in her text.
    const text = ann.doc.getText('body');
    text.insert(0, 'hello world');
    const cursor = { anchor: Y.createRelativePositionFromTypeIndex(text, 2), head: Y.createRelativePositionFromTypeIndex(text, 5) };
    ann.awareness.setLocalState({ user: { name: 'Ann', color: '#d1495b' }, cursor });

    await until(() => bob.awareness.getStates().get(ann.doc.clientID)?.['cursor'] != null, "Bob sees Ann's cursor");
    const seen = bob.awareness.getStates().get(ann.doc.clientID)!;
    expect(seen['user']).toEqual({ name: 'Ann', color: '#d1495b' });
    // The positions resolve in a replica of Ann's text, as a binding resolves them.
    const replica = new Y.Doc();
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(ann.doc));
    const anchor = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(seen['cursor'].anchor), replica);
    const head = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(seen['cursor'].head), replica);
    expect([anchor?.index, head?.index]).toEqual([2, 5]);
    expect(changes.every((c) => c.origin === ROOM_ORIGIN)).toBe(true);
    expect(changes.flatMap((c) => c.added)).toContain(ann.doc.clientID);
    // Ann's own state stays hers: Bob's presence never becomes Ann's local state and vice versa.
    await until(() => ann.awareness.getStates().has(bob.doc.clientID), 'Ann sees Bob');
    expect(ann.awareness.getLocalState()?.['user']).toEqual({ name: 'Ann', color: '#d1495b' });
    expect(bob.awareness.getStates().size).toBe(2);

    // A burst of moves (faster than the throttle): the last one arrives.
    for (let i = 0; i <= 10; i++) {
      ann.awareness.setLocalStateField('cursor', {
        anchor: Y.createRelativePositionFromTypeIndex(text, i),
        head: Y.createRelativePositionFromTypeIndex(text, i),
      });
    }
    await until(() => {
      const c = bob.awareness.getStates().get(ann.doc.clientID)?.['cursor'];
      return c != null && Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(c.head), ann.doc)?.index === 10;
    }, "Ann's last caret");

    // Ann leaves (her awareness ends, then her connection): Bob's awareness removes her.
    ann.awareness.destroy();
    ann.handle.close();
    await until(() => !bob.awareness.getStates().has(ann.doc.clientID), 'Ann removed');
    expect(changes.flatMap((c) => c.removed)).toContain(ann.doc.clientID);
  });

  it('a peer whose connection drops is removed; presence that is not awareness is ignored', async () => {
    const ann = join('a2');
    const bob = join('a2');
    ann.awareness.setLocalStateField('user', { name: 'Ann' });
    await until(() => bob.awareness.getStates().get(ann.doc.clientID)?.['user']?.name === 'Ann', 'Bob sees Ann');

    // Carol uses plain presence (no awareness): she is in the room but not in Bob's awareness.
    const carol = liveClient(url, 'websocket', 'a2');
    const carolDoc = carol.client.live({ room: 'a2', doc: 'text', type: 'lww-map', transport: carol.transport });
    carolDoc.setPresence({ name: 'Carol', clientID: 'x' });
    const bobHandle = bob.handle as unknown as { presence$: { get(): readonly PeerPresence[] } };
    await until(() => bobHandle.presence$.get().some((p) => (p.state as { name?: string } | null)?.name === 'Carol'), 'Carol arrives');
    expect([...bob.awareness.getStates().keys()].sort()).toEqual([ann.doc.clientID, bob.doc.clientID].sort());
    carolDoc.close();
    carol.close();

    ann.handle.close(); // the room's only document: the connection closes without a goodbye state
    await until(() => !bob.awareness.getStates().has(ann.doc.clientID), 'Ann removed');
  });
});

describe('yjsAwareness on a presence signal', () => {
  afterEach(() => jest.useRealTimers());

  function room() {
    const peers = signal<readonly PeerPresence[]>([]);
    const sent: Json[] = [];
    return { peers, sent, handle: { presence$: peers, setPresence: (state: Json) => void sent.push(state) } };
  }

  it('keeps a quiet peer that is still present past the awareness timeout (30 s)', () => {
    jest.useFakeTimers();
    const r = room();
    const awareness = new Awareness(new Y.Doc());
    yjsAwareness(r.handle, awareness);
    r.peers.set([{ peer: 'p1', state: { clientID: 7, awareness: { user: { name: 'Ann' } } } }]);
    expect(awareness.getStates().get(7)).toEqual({ user: { name: 'Ann' } });
    jest.advanceTimersByTime(120_000);
    expect(awareness.getStates().get(7)).toEqual({ user: { name: 'Ann' } });
    r.peers.set([]);
    expect(awareness.getStates().has(7)).toBe(false);
    awareness.destroy();
  });

  it('sends the local state throttled, the last one always, and null on destroy', () => {
    jest.useFakeTimers();
    const r = room();
    const doc = new Y.Doc();
    const awareness = new Awareness(doc);
    yjsAwareness(r.handle, awareness, { throttleMs: 50 });
    expect(r.sent).toEqual([{ clientID: doc.clientID, awareness: {} }]);
    for (let i = 1; i <= 5; i++) awareness.setLocalStateField('n', i);
    expect(r.sent).toHaveLength(1);
    jest.advanceTimersByTime(50);
    expect(r.sent.at(-1)).toEqual({ clientID: doc.clientID, awareness: { n: 5 } });
    expect(r.sent).toHaveLength(2);
    jest.advanceTimersByTime(500);
    expect(r.sent).toHaveLength(2);
    awareness.destroy();
    expect(r.sent.at(-1)).toBeNull();
    r.peers.set([{ peer: 'p1', state: { clientID: 7, awareness: {} } }]);
    expect(awareness.getStates().has(7)).toBe(false); // unbound
  });

  it('refuses what is not awareness presence, drops malformed cursors, never takes our own id', () => {
    const r = room();
    const doc = new Y.Doc();
    const awareness = new Awareness(doc);
    yjsAwareness(r.handle, awareness);
    const states = (): Record<number, unknown> => Object.fromEntries([...awareness.getStates()].filter(([id]) => id !== doc.clientID));
    r.peers.set([
      { peer: 'a', state: null },
      { peer: 'b', state: [1, 2] },
      { peer: 'c', state: { clientID: -1, awareness: {} } },
      { peer: 'd', state: { clientID: 2 ** 32, awareness: {} } },
      { peer: 'e', state: { clientID: 5, awareness: 'x' } },
      { peer: 'f', state: { clientID: 6, awareness: { cursor: { anchor: { item: 'x' }, head: null } } } },
      { peer: 'g', state: { clientID: 8, awareness: { ['__proto__']: { polluted: true }, user: { name: 'G' } } } },
    ]);
    expect(states()).toEqual({ 6: { cursor: null }, 8: JSON.parse('{"__proto__":{"polluted":true},"user":{"name":"G"}}') });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();

    // A peer claiming our client id (or another's) gets one derived from its peer id.
    r.peers.set([
      { peer: 'h', state: { clientID: doc.clientID, awareness: { user: { name: 'H' } } } },
      { peer: 'i', state: { clientID: 9, awareness: { user: { name: 'I' } } } },
      { peer: 'j', state: { clientID: 9, awareness: { user: { name: 'J' } } } },
    ]);
    expect(awareness.getLocalState()).toEqual({});
    const names = Object.values(states()).map((s) => (s as { user: { name: string } }).user.name);
    expect(names.sort()).toEqual(['H', 'I', 'J']);
    expect(awareness.getStates().get(9)).toEqual({ user: { name: 'I' } });
    awareness.destroy();
  });

  it('unbinding clears our presence and stops following the room; the awareness lives on', () => {
    const r = room();
    const awareness = new Awareness(new Y.Doc());
    const unbind = yjsAwareness(r.handle, awareness);
    unbind();
    expect(r.sent.at(-1)).toBeNull();
    awareness.setLocalStateField('n', 1);
    r.peers.set([{ peer: 'p1', state: { clientID: 7, awareness: {} } }]);
    expect(r.sent).toHaveLength(2);
    expect(awareness.getStates().has(7)).toBe(false);
    awareness.destroy();
  });

  it('after any sequence of presence lists, the awareness holds exactly the last list’s awareness peers (property)', () => {
    // Peers p0..p5 each with their own client id; a present peer has awareness presence, plain
    // presence or none; its state varies among a few values so updates and repeats both happen.
    const peerState = fc.oneof(
      fc.record({ kind: fc.constant('awareness' as const), n: fc.integer({ min: 0, max: 2 }) }),
      fc.constant({ kind: 'plain' as const, n: 0 }),
      fc.constant({ kind: 'none' as const, n: 0 }),
    );
    const list = fc.dictionary(fc.constantFrom('p0', 'p1', 'p2', 'p3', 'p4', 'p5'), peerState, { maxKeys: 6 });
    fc.assert(
      fc.property(fc.array(list, { minLength: 1, maxLength: 12 }), (lists) => {
        const r = room();
        const doc = new Y.Doc();
        const awareness = new Awareness(doc);
        yjsAwareness(r.handle, awareness);
        const clientOf = (peer: string) => 100 + Number(peer.slice(1));
        for (const peers of lists) {
          r.peers.set(
            Object.entries(peers).map(([peer, s]): PeerPresence => ({
              peer,
              state: s.kind === 'awareness' ? { clientID: clientOf(peer), awareness: { n: s.n } } : s.kind === 'plain' ? { n: s.n } : null,
            })),
          );
          const expected = Object.entries(peers)
            .filter(([, s]) => s.kind === 'awareness')
            .map(([peer, s]) => [clientOf(peer), { n: s.n }] as const)
            .sort(([a], [b]) => a - b);
          const actual = [...awareness.getStates()].filter(([id]) => id !== doc.clientID).sort(([a], [b]) => a - b);
          expect(actual).toEqual(expected);
        }
        awareness.destroy();
      }),
      fcParams(200),
    );
  });

  it('readAwarenessPresence keeps valid cursors as they are', () => {
    const doc = new Y.Doc();
    const pos = JSON.parse(JSON.stringify(Y.createRelativePositionFromTypeIndex(doc.getText('t'), 0))) as Json;
    const state = { clientID: 1, awareness: { cursor: { anchor: pos, head: pos } } };
    expect(readAwarenessPresence(state)).toEqual(state);
  });
});
