import { presenceFrame, startHub, type StartedHub } from './fixtures/hubFixture.js';
import { pollClient, sseClient, wsClient, type RawClient } from './fixtures/rawClients.js';

const peerOf = (client: RawClient): string => client.messages('welcome')[0]!.data['peer'] as string;
const presenceSeen = (client: RawClient): unknown[] =>
  client
    .messages()
    .filter((m) => m.data.kind === 'peer' || m.data.kind === 'left')
    .map((m) => m.data);

describe('hub presence', () => {
  let started: StartedHub;
  const clients: RawClient[] = [];
  const track = <C extends RawClient>(client: C): C => {
    clients.push(client);
    return client;
  };
  beforeAll(async () => {
    started = await startHub({ presenceTimeout: 400 });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  });
  afterAll(() => started.hub.close());

  it('shows joins, state changes and leaves to the others, over every transport', async () => {
    const room = 'presence-1';
    const a = track(await wsClient(started.url));
    const b = track(await sseClient(started.url));
    const c = track(pollClient(started.url));
    await a.hello(room);
    expect(a.messages('peers')[0]!.data['peers']).toEqual([]);
    await b.hello(room);
    expect(b.messages('peers')[0]!.data['peers']).toEqual([{ peer: peerOf(a), state: null }]);
    await c.hello(room);
    expect(c.messages('peers')[0]!.data['peers']).toEqual(
      expect.arrayContaining([
        { peer: peerOf(a), state: null },
        { peer: peerOf(b), state: null },
      ]),
    );
    await a.waitFor(() => presenceSeen(a).length === 2, 'a sees b and c arrive');
    expect(presenceSeen(a)).toEqual([
      { kind: 'peer', peer: peerOf(b), state: null },
      { kind: 'peer', peer: peerOf(c), state: null },
    ]);

    // `__proto__` as a key is plain data end to end (JSON.parse makes it an own property).
    const state = JSON.parse('{"cursor":3,"name":"ann","__proto__":"plain data"}') as Record<string, unknown>;
    await a.sendRaw(`{"v":1,"type":"data","data":{"kind":"presence","state":{"cursor":3,"name":"ann","__proto__":"plain data"}}}`);
    for (const other of [b, c]) {
      await other.waitFor(() => presenceSeen(other).some((p) => (p as { state: unknown }).state !== null), 'a state');
    }
    expect(presenceSeen(b).at(-1)).toEqual({ kind: 'peer', peer: peerOf(a), state });
    expect(presenceSeen(c).at(-1)).toEqual({ kind: 'peer', peer: peerOf(a), state });
    expect(Object.keys((presenceSeen(b).at(-1) as { state: object }).state)).toEqual(['cursor', 'name', '__proto__']);
    // Nobody hears their own presence back.
    expect(presenceSeen(a).filter((p) => (p as { peer: string }).peer === peerOf(a))).toEqual([]);

    await a.send(presenceFrame(null));
    await b.waitFor(() => presenceSeen(b).length === 3 && (presenceSeen(b)[2] as { state: unknown }).state === null, 'a cleared');

    // A late joiner sees current states.
    const d = track(await wsClient(started.url));
    await b.send(presenceFrame({ typing: true }));
    await a.waitFor(
      () => presenceSeen(a).some((p) => (p as { peer: string }).peer === peerOf(b) && (p as { state: unknown }).state !== null),
      'b typing',
    );
    await d.hello(room);
    expect(d.messages('peers')[0]!.data['peers']).toEqual(expect.arrayContaining([{ peer: peerOf(b), state: { typing: true } }]));

    await b.close(); // SSE stream aborted
    await c.close(); // polling says bye
    await a.waitFor(() => presenceSeen(a).filter((p) => (p as { kind: string }).kind === 'left').length === 2, 'b and c left');
    expect(presenceSeen(a).filter((p) => (p as { kind: string }).kind === 'left')).toEqual(
      expect.arrayContaining([
        { kind: 'left', peer: peerOf(b) },
        { kind: 'left', peer: peerOf(c) },
      ]),
    );
  });

  it('drops a silent WebSocket and a polling session that stopped polling after presenceTimeout; a quiet but answering one stays', async () => {
    const room = 'presence-2';
    const watcher = track(await wsClient(started.url)); // answers the hub's pings
    const silent = track(await wsClient(started.url, { answerPings: false }));
    const stalled = track(pollClient(started.url));
    await watcher.hello(room);
    await silent.hello(room);
    await stalled.hello(room);
    stalled.stop();
    const left = (): string[] =>
      presenceSeen(watcher)
        .filter((p) => (p as { kind: string }).kind === 'left')
        .map((p) => (p as { peer: string }).peer);
    await watcher.waitFor(() => left().length === 2, 'both silent sessions left', 5000);
    expect(left()).toEqual(expect.arrayContaining([peerOf(silent), peerOf(stalled)]));
    await silent.waitFor(() => silent.ended !== undefined, 'silent socket closed');
    expect(silent.ended).toEqual({ code: 4408 });
    expect(silent.errors().map((e) => e.code)).toEqual(['E_IDLE_TIMEOUT']);
    // The hub pinged the silent one before giving up; the watcher answered its pings and is still here.
    expect(silent.received.some((f) => f.type === 'ping')).toBe(true);
    expect(watcher.received.some((f) => f.type === 'ping')).toBe(true);
    expect(watcher.ended).toBeUndefined();
    expect(await stalled.poll()).toBe(404);
  });
});
