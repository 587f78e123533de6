// Token expiry mid-session and refresh in band, against a real hub on 127.0.0.1. The wall clock is
// real: tokens live about a second, so a test waits for an expiry instead of faking one.
import { SignJWT } from 'jose';
import { firstValueFrom } from 'rxjs';
import { allow, deny, type Authenticate } from '../../server/auth.js';
import { jwtTokens } from '../../server/jwtTokens.js';
import { TokenLease } from '../../server/tokenLease.js';
import { createOutbox } from '../../lib/outbox/outbox.js';
import { createClient } from '../../lib/query/client.js';
import { liveDocuments } from '../../lib/live/liveRegistry.js';
import type { LiveMap } from '../../lib/live/index.js';
import { memoryStorage } from '../../lib/storage/memoryStorage.js';
import { hubTransport, until, type Via } from '../e2e/support/liveClients.js';
import { counterOp, opsFrame, scrape, startHub, type StartedHub } from './fixtures/hubFixture.js';
import { connect, opIds, wsClient, type Kind, type RawClient } from './fixtures/rawClients.js';

/** A token issuer with ms-precise lifetimes (JWT `exp` is in whole seconds), behind the `authenticate` hook. */
function issuer(): { issue(sub: string, lifetimeMs: number, rooms?: string[]): string; authenticate: Authenticate; calls: number } {
  const grants = new Map<string, { sub: string; expiresAt: number; rooms: string[] }>();
  let n = 0;
  const state = {
    calls: 0,
    issue(sub: string, lifetimeMs: number, rooms = ['*']): string {
      const token = `t-${++n}`;
      grants.set(token, { sub, expiresAt: Date.now() + lifetimeMs, rooms });
      return token;
    },
    authenticate(token: string | undefined, room: string) {
      state.calls++;
      const grant = token === undefined ? undefined : grants.get(token);
      if (grant === undefined || grant.expiresAt <= Date.now()) return deny('unauthenticated', 'bad or expired token');
      if (!grant.rooms.includes('*') && !grant.rooms.includes(room)) return deny('forbidden', `${grant.sub} may not join ${room}`);
      return allow(grant.sub, { expiresAt: grant.expiresAt });
    },
  };
  return state;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const tokenFrame = (token: string): unknown => ({ v: 1, type: 'data', data: { kind: 'token', token } });
const LIFETIME = 1500;
const REFRESH_BEFORE = 1000;

describe('token expiry mid-session (the authenticate hook)', () => {
  const tokens = issuer();
  let started: StartedHub;
  const clients: RawClient[] = [];
  const nextId = opIds('expiry');

  beforeAll(async () => {
    started = await startHub({ authenticate: tokens.authenticate, refreshBefore: REFRESH_BEFORE });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  });
  afterAll(() => started.hub.close());

  describe.each<Kind>(['ws', 'sse', 'poll'])('over %s', (kind) => {
    it('asks for a fresh token before the expiry, then closes an unrefreshed session (4401 E_TOKEN_EXPIRED)', async () => {
      const room = `expiry-${kind}`;
      const client = await connect(kind, started.url);
      clients.push(client);
      expect(await client.hello(room, { token: tokens.issue('ann', LIFETIME) })).toEqual(expect.objectContaining({ ok: true }));
      await client.send(opsFrame([counterOp(nextId())]));
      await client.waitFor(() => client.messages('refresh').length === 1, 'refresh');
      const { expiresIn } = client.messages('refresh')[0]!.data as unknown as { expiresIn: number };
      expect(expiresIn).toBeGreaterThan(0);
      expect(expiresIn).toBeLessThanOrEqual(LIFETIME);
      await client.waitFor(() => client.ended !== undefined, 'closed at expiry');
      expect(client.ended!.code).toBe({ ws: 4401, sse: 0, poll: 404 }[kind]);
      if (kind !== 'poll') expect(client.errors()).toEqual([expect.objectContaining({ code: 'E_TOKEN_EXPIRED' })]);
      // What it sent while its token was good stays; the session is gone.
      expect(await started.hub.value(room, 'count')).toEqual({ type: 'pn-counter', value: 1 });
      if (kind !== 'ws') expect(await client.send(opsFrame([counterOp(nextId())]))).toBe(404);
      expect(await started.hub.value(room, 'count')).toEqual({ type: 'pn-counter', value: 1 });
    });

    it('a fresh token in band keeps the session past the first expiry: no new hello, edits keep flowing', async () => {
      const room = `refresh-${kind}`;
      const client = await connect(kind, started.url);
      clients.push(client);
      const first = Date.now() + LIFETIME;
      expect(await client.hello(room, { token: tokens.issue('ann', LIFETIME) })).toEqual(expect.objectContaining({ ok: true }));
      await client.waitFor(() => client.messages('refresh').length === 1, 'refresh');
      const callsBefore = tokens.calls;
      await client.send(tokenFrame(tokens.issue('ann', 60_000)));
      await until(() => tokens.calls === callsBefore + 1, 'the fresh token checked');
      // Well past the first token's expiry: the session is still the same one.
      while (Date.now() < first + 300) await pause(50);
      expect(client.ended).toBeUndefined();
      const id = nextId();
      await client.send(opsFrame([counterOp(id)]));
      await client.waitFor(() => client.messages('ack').some((m) => (m.data['ids'] as string[]).includes(id)), 'ack');
      expect(client.messages('welcome')).toHaveLength(1);
      expect(client.messages('refresh')).toHaveLength(1);
      expect(client.errors()).toEqual([]);
      expect(await started.hub.value(room, 'count')).toEqual({ type: 'pn-counter', value: 1 });
    });
  });

  it.each<[string, () => string, number, string]>([
    ['an invalid token', () => 'forged', 4401, 'E_UNAUTHORIZED'],
    ['a token of another principal', () => tokens.issue('mallory', 60_000), 4401, 'E_UNAUTHORIZED'],
    ['a token that does not grant the room', () => tokens.issue('ann', 60_000, ['elsewhere']), 4403, 'E_FORBIDDEN'],
  ])('a refresh with %s ends the session (%s)', async (_what, fresh, closeCode, code) => {
    const room = 'refresh-bad';
    const client = await wsClient(started.url);
    clients.push(client);
    expect(await client.hello(room, { token: tokens.issue('ann', 60_000) })).toEqual(expect.objectContaining({ ok: true }));
    await client.send(tokenFrame(fresh()));
    void client.send(opsFrame([counterOp(nextId())]));
    await client.waitFor(() => client.ended !== undefined, 'closed');
    expect(client.ended!.code).toBe(closeCode);
    expect(client.errors().map((e) => e.code)).toEqual([code]);
  });

  it('a token sent early replaces the lease: no refresh is asked while the new one is far from expiry', async () => {
    const client = await wsClient(started.url);
    clients.push(client);
    const first = Date.now() + LIFETIME;
    expect(await client.hello('refresh-early', { token: tokens.issue('ann', LIFETIME) })).toEqual(expect.objectContaining({ ok: true }));
    const callsBefore = tokens.calls;
    await client.send(tokenFrame(tokens.issue('ann', 60_000)));
    await until(() => tokens.calls === callsBefore + 1, 'the fresh token checked');
    while (Date.now() < first + 300) await pause(50);
    expect(client.ended).toBeUndefined();
    expect(client.messages('refresh')).toEqual([]);
  });
});

describe('JWT expiry mid-session', () => {
  const SECRET = new TextEncoder().encode('jwt-refresh-secret-0123456789abcdef');
  const sign = (sub: string, exp: number): Promise<string> =>
    new SignJWT({ rooms: ['*'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('id')
      .setAudience('hub')
      .setSubject(sub)
      .setExpirationTime(exp)
      .sign(SECRET);
  const tokens = jwtTokens({ secret: SECRET, issuer: 'id', audience: 'hub', clockTolerance: 0 });

  it('closes a session whose JWT expires unrefreshed with 4401 E_TOKEN_EXPIRED', async () => {
    const started = await startHub({ authenticate: tokens.authenticate, refreshBefore: 500 });
    try {
      const exp = Math.floor(Date.now() / 1000) + 2;
      const client = await wsClient(started.url);
      expect(await client.hello('jwt-expiry', { token: await sign('ann', exp) })).toEqual(expect.objectContaining({ ok: true }));
      await client.waitFor(() => client.ended !== undefined, 'closed at exp', 5000);
      expect(client.ended!.code).toBe(4401);
      expect(client.messages('refresh')).toHaveLength(1);
      expect(client.errors().map((e) => e.code)).toEqual(['E_TOKEN_EXPIRED']);
    } finally {
      await started.hub.close();
    }
  });

  it('the real client (a live document over webSocket with a `token` function) refreshes in band: same peer, edits flow past exp', async () => {
    const started = await startHub({ authenticate: tokens.authenticate, refreshBefore: 1500 });
    const exp = Math.floor(Date.now() / 1000) + 2;
    let issued = 0;
    // First call: the short token of the hello; later calls: what the app's token endpoint would give.
    const token = async (): Promise<string> => (issued++ === 0 ? sign('ann', exp) : sign('ann', exp + 600));
    const outbox = createOutbox({ storage: memoryStorage() });
    const client = createClient({ outbox, live: liveDocuments });
    const transport = hubTransport(started.url, 'websocket', { room: 'jwt-live' }, { token });
    const note = client.live({ room: 'jwt-live', doc: 'n', type: 'lww-map', transport }) as LiveMap;
    const errors: unknown[] = [];
    const sub = note.errors$.subscribe((error) => errors.push(error));
    try {
      await note.set('title', 'before the refresh');
      await note.synced();
      await until(() => note.status$.get().joined, 'joined');
      const peer = note.status$.get().peer;
      await until(() => issued === 2, 'the transport fetched a fresh token');
      while (Date.now() < exp * 1000 + 300) await pause(50);
      await note.set('title', 'after the first token expired');
      await note.synced();
      expect(await started.hub.value('jwt-live', 'n')).toEqual({ type: 'lww-map', value: { title: 'after the first token expired' } });
      expect(note.status$.get()).toEqual(expect.objectContaining({ state: 'open', joined: true, peer }));
      const metrics = await scrape(started.url);
      expect(metrics.get('rxsync_hub_connections_total{transport="ws"}')).toBe(1);
      expect(metrics.get('rxsync_hub_rejects_total{code="E_TOKEN_EXPIRED"}') ?? 0).toBe(0);
      expect(issued).toBe(2);
      expect(errors).toEqual([]);
    } finally {
      sub.unsubscribe();
      note.close();
      outbox.close();
      await started.hub.close();
    }
  });
});

describe.each<Via>(['websocket', 'sse', 'polling'])('the %s transport answers refresh itself', (via) => {
  it('calls `token` again, sends the token in band on the same connection, and never hands `refresh` to the app', async () => {
    const tokens = issuer();
    const started = await startHub({ authenticate: tokens.authenticate, refreshBefore: REFRESH_BEFORE });
    let calls = 0;
    const first = Date.now() + LIFETIME;
    const transport = hubTransport(
      started.url,
      via,
      { room: 'transport-refresh' },
      {
        token: () => (calls++ === 0 ? tokens.issue('ann', LIFETIME) : tokens.issue('ann', 60_000)),
      },
    );
    const received: { kind?: string }[] = [];
    const sub = transport.messages$.subscribe((message) => received.push(message as { kind?: string }));
    try {
      await until(() => received.some((m) => m.kind === 'peers'), 'joined');
      await until(() => calls === 2, 'the token function called again');
      while (Date.now() < first + 300) await pause(50);
      const id = `refresh-${via}-1`;
      transport.send({ kind: 'ops', ops: [counterOp(id)] });
      await until(() => received.some((m) => m.kind === 'ack'), 'ack after the first token expired');
      expect(received.filter((m) => m.kind === 'welcome')).toHaveLength(1);
      expect(received.filter((m) => m.kind === 'refresh')).toEqual([]);
      expect(await firstValueFrom(transport.status$)).toEqual(expect.objectContaining({ state: 'open', connection: 1 }));
      expect(tokens.calls).toBe(2);
      expect(calls).toBe(2);
    } finally {
      sub.unsubscribe();
      await started.hub.close();
    }
  });
});

describe('a session closed at expiry after its welcome', () => {
  it('is not a refusal: the transport reconnects with a newly fetched token', async () => {
    const tokens = issuer();
    const started = await startHub({ authenticate: tokens.authenticate, refreshBefore: REFRESH_BEFORE });
    const short = tokens.issue('ann', LIFETIME);
    let calls = 0;
    // The refresh gets the token the connection already has (nothing to send), so the hub ends the
    // session at expiry; the reconnect gets a good one.
    const transport = hubTransport(
      started.url,
      'websocket',
      { room: 'expiry-reconnect' },
      {
        token: () => (++calls <= 2 ? short : tokens.issue('ann', 60_000)),
      },
    );
    const received: { kind?: string }[] = [];
    const sub = transport.messages$.subscribe((message) => received.push(message as { kind?: string }));
    try {
      await until(() => received.filter((m) => m.kind === 'welcome').length === 2, 'a second welcome after the expiry');
      expect(await firstValueFrom(transport.status$)).toEqual(expect.objectContaining({ state: 'open', connection: 2 }));
      expect(calls).toBe(3);
      const metrics = await scrape(started.url);
      expect(metrics.get('rxsync_hub_rejects_total{code="E_TOKEN_EXPIRED"}')).toBe(1);
    } finally {
      sub.unsubscribe();
      await started.hub.close();
    }
  });
});

describe('TokenLease (fake timers: the wall clock is skipped by days)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const recorder = (): { events: string[]; lease: (refreshBefore: number) => TokenLease } => {
    const events: string[] = [];
    return {
      events,
      lease: (refreshBefore) =>
        new TokenLease({ refresh: (expiresIn) => events.push(`refresh ${expiresIn}`), expire: () => events.push('expire') }, refreshBefore),
    };
  };

  it('asks refreshBefore ahead, expires on time, even 30 days out (past the longest setTimeout)', () => {
    const { events, lease } = recorder();
    const day = 86_400_000;
    lease(60_000).renew(Date.now() + 30 * day);
    jest.advanceTimersByTime(30 * day - 60_001);
    expect(events).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(events).toEqual(['refresh 60000']);
    jest.advanceTimersByTime(59_999);
    expect(events).toEqual(['refresh 60000']);
    jest.advanceTimersByTime(1);
    expect(events).toEqual(['refresh 60000', 'expire']);
  });

  it('a token shorter than the window is asked for halfway; renew starts over; stop cancels', () => {
    const { events, lease } = recorder();
    const l = lease(60_000);
    l.renew(Date.now() + 10_000);
    jest.advanceTimersByTime(5_000);
    expect(events).toEqual(['refresh 5000']);
    l.renew(Date.now() + 10_000);
    jest.advanceTimersByTime(9_999);
    expect(events).toEqual(['refresh 5000', 'refresh 5000']);
    l.stop();
    jest.advanceTimersByTime(60_000);
    expect(events).toEqual(['refresh 5000', 'refresh 5000']);
    l.renew(undefined);
    jest.advanceTimersByTime(60_000);
    expect(events).toEqual(['refresh 5000', 'refresh 5000']);
  });
});
