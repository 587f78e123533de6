// A refused client must not hammer the hub: a wrong token or a forbidden room is final for that
// token (one attempt, a coded error, status 'refused'), and a new token resumes the room.
import { hmacTokens } from '../../server/hmacToken';
import { scrape, startHub, type StartedHub } from '../server/fixtures/hubFixture';
import { createOutbox } from '../../lib/outbox/outbox';
import { createClient } from '../../lib/query/client';
import { liveDocuments } from '../../lib/live/liveRegistry';
import { memoryStorage } from '../../lib/storage/memoryStorage';
import type { RxSyncError } from '../../lib/errors';
import type { LiveMap } from '../../lib/live/index';
import { hubTransport, until, type Via } from './support/liveClients';

const SECRET = 'refusal-test-secret-0123456789abcdef';
const tokens = hmacTokens({ secret: SECRET });

const refusals = async (url: string, code: string): Promise<number> =>
  (await scrape(url)).get(`rxsync_hub_rejects_total{code="${code}"}`) ?? 0;

describe.each<Via>(['websocket', 'sse', 'polling'])('a refused client over %s', (via) => {
  let started: StartedHub;
  beforeEach(async () => {
    started = await startHub({ authenticate: tokens.authenticate });
  });
  afterEach(() => started.hub.close());

  const cases: [string, () => string | undefined, string, string][] = [
    ['a bad token', () => 'not-a-token', 'E_UNAUTHORIZED', 'E_AUTH_REFUSED'],
    ['no token', () => undefined, 'E_UNAUTHORIZED', 'E_AUTH_REFUSED'],
    ['a token for another room', () => tokens.sign({ sub: 'bob', rooms: ['elsewhere'], expiresIn: 60 }), 'E_FORBIDDEN', 'E_ROOM_FORBIDDEN'],
  ];
  it.each(cases)('with %s: one attempt, status refused, a coded error; a new token resumes', async (_what, badToken, hubCode, code) => {
    const room = `refused-${via}`;
    let token: string | undefined = badToken();
    // The token option may be sync or async (here: async over SSE), and is called on every connect.
    const outbox = createOutbox({ storage: memoryStorage(), retry: { initialDelay: 20, maxDelay: 200 } });
    const client = createClient({ outbox, live: liveDocuments });
    const transport = hubTransport(started.url, via, { room }, { token: via === 'sse' ? async () => token : () => token });
    const note = client.live({ room, doc: 'n', type: 'lww-map', transport }) as LiveMap;
    const errors: RxSyncError[] = [];
    const sub = note.errors$.subscribe((error) => errors.push(error));
    try {
      await note.set('title', 'written while refused');
      await until(() => note.status$.get().state === 'refused', 'status refused');
      // A bounded window of 50 reconnect delays: a client that retried would be refused again and again.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await refusals(started.url, hubCode)).toBe(1);
      expect(note.status$.get()).toEqual(
        expect.objectContaining({ state: 'refused', joined: false, error: expect.objectContaining({ code }) }),
      );
      expect(errors.map((e) => e.code)).toEqual([code]);
      expect(note.pending$.get()).toBe(1);

      token = tokens.sign({ sub: 'ann', rooms: [room], expiresIn: 60 });
      note.retry();
      await note.synced();
      expect(await started.hub.value(room, 'n')).toEqual({ type: 'lww-map', value: { title: 'written while refused' } });
      await note.set('title', 'after the new token');
      await note.synced();
      expect(await started.hub.value(room, 'n')).toEqual({ type: 'lww-map', value: { title: 'after the new token' } });
      expect(note.status$.get()).toEqual(expect.objectContaining({ state: 'open', joined: true }));
      expect(note.status$.get().error).toBeUndefined();
      expect(await refusals(started.url, hubCode)).toBe(1);
    } finally {
      sub.unsubscribe();
      note.close();
      outbox.close();
    }
  });

  it('with an invalid room in the hello: refused before connecting, E_ROOM_INVALID', async () => {
    const outbox = createOutbox({ storage: memoryStorage() });
    const client = createClient({ outbox, live: liveDocuments });
    const transport = hubTransport(started.url, via, { room: 'no spaces allowed' });
    const note = client.live({ room: 'valid', doc: 'n', type: 'lww-map', transport });
    const errors: RxSyncError[] = [];
    const sub = note.errors$.subscribe((error) => errors.push(error));
    try {
      await until(() => note.status$.get().state === 'refused', 'status refused');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(errors.map((e) => e.code)).toEqual(['E_ROOM_INVALID']);
      const metrics = await scrape(started.url);
      expect([...metrics].filter(([key, n]) => key.startsWith('rxsync_hub_rejects_total') && n > 0)).toEqual([]);
    } finally {
      sub.unsubscribe();
      note.close();
      outbox.close();
    }
  });
});

describe.each<Via>(['websocket', 'sse', 'polling'])('a hub that accepts the connection, then fails the hello, over %s', (via) => {
  let started: StartedHub;
  beforeEach(async () => {
    // Every hello is refused with E_ROOM_FULL (4503): worth retrying, but with a growing backoff.
    started = await startHub({ limits: { maxConnectionsPerRoom: 0 } });
  });
  afterEach(() => started.hub.close());

  it('backs off: the failure count grows although each attempt opened first', async () => {
    const transport = hubTransport(started.url, via, { room: 'full' }, { reconnect: { initialDelay: 5, maxDelay: 40, jitter: 'none' } });
    const attempts: number[] = [];
    const statusSub = transport.status$.subscribe((status) => {
      if (status.state === 'reconnecting') attempts.push(status.attempt ?? 0);
    });
    const sub = transport.messages$.subscribe();
    try {
      await until(() => attempts.length >= 4, 'four failed attempts');
      expect(attempts.slice(0, 4)).toEqual([1, 2, 3, 4]);
      expect(await refusals(started.url, 'E_ROOM_FULL')).toBeGreaterThanOrEqual(4);
    } finally {
      sub.unsubscribe();
      statusSub.unsubscribe();
    }
  });
});
