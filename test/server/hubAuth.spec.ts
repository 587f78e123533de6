import { createHmac } from 'node:crypto';
import { hmacTokens } from '../../server/hmacToken.js';
import { counterOp, opsFrame, scrape, startHub, type StartedHub } from './fixtures/hubFixture.js';
import { connect, opIds, wsClient, type Kind, type RawClient } from './fixtures/rawClients.js';

const SECRET = 'auth-test-secret-0123456789abcdef';

describe('hmacTokens', () => {
  const tokens = hmacTokens({ secret: SECRET });

  it('signs tokens that verify, naming the holder and the rooms', () => {
    const token = tokens.sign({ sub: 'ann', rooms: ['a', 'b'], expiresIn: 60 });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const check = tokens.verify(token);
    expect(check).toEqual({ ok: true, claims: { sub: 'ann', rooms: ['a', 'b'], exp: expect.any(Number) } });
    // The grant carries the token's expiry, so the hub can ask for a fresh token and end the session at `exp`.
    const exp = (check as { claims: { exp: number } }).claims.exp;
    expect(tokens.authenticate(token, 'a')).toEqual({ ok: true, principal: 'ann', expiresAt: exp * 1000 });
    expect(tokens.authenticate(token, 'c')).toEqual({ ok: false, reason: 'forbidden', message: expect.stringContaining('ann') });
    expect(tokens.authenticate(tokens.sign({ sub: 'root', rooms: '*', expiresIn: 60 }), 'anything')).toEqual({
      ok: true,
      principal: 'root',
      expiresAt: expect.any(Number),
    });
  });

  it('refuses missing, malformed, tampered, foreign and expired tokens', () => {
    const token = tokens.sign({ sub: 'ann', rooms: '*', expiresIn: 60 });
    const [payload, signature] = token.split('.') as [string, string];
    const flip = (s: string, i: number): string => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    expect(tokens.verify(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(tokens.verify('')).toEqual({ ok: false, reason: 'missing' });
    for (const bad of ['abc', 'a.b.c', `${payload}.`, `.${signature}`, `${payload}.${signature}!`, 'x'.repeat(5000)]) {
      expect(tokens.verify(bad)).toEqual({ ok: false, reason: 'malformed' });
    }
    expect(tokens.verify(`${flip(payload, 3)}.${signature}`)).toEqual({ ok: false, reason: 'signature' });
    expect(tokens.verify(`${payload}.${flip(signature, 5)}`)).toEqual({ ok: false, reason: 'signature' });
    expect(tokens.verify(`${payload}.${signature.slice(0, -2)}`)).toEqual({ ok: false, reason: 'signature' });
    expect(hmacTokens({ secret: `${SECRET}-other` }).verify(token)).toEqual({ ok: false, reason: 'signature' });
    const past = hmacTokens({ secret: SECRET, now: () => Date.now() - 3_600_000 });
    expect(tokens.verify(past.sign({ sub: 'ann', rooms: '*', expiresIn: 60 }))).toEqual({ ok: false, reason: 'expired' });
    // Correctly signed, but not claims: still refused.
    const body = Buffer.from(JSON.stringify({ sub: 5, rooms: '*', exp: 9e9 })).toString('base64url');
    const mac = createHmac('sha256', SECRET).update(body).digest('base64url');
    expect(tokens.verify(`${body}.${mac}`)).toEqual({ ok: false, reason: 'malformed' });
    for (const t of [undefined, 'abc', `${payload}.${flip(signature, 5)}`]) {
      expect(tokens.authenticate(t, 'a')).toEqual(expect.objectContaining({ ok: false, reason: 'unauthenticated' }));
    }
  });

  it('refuses a short secret and bad sign options', () => {
    expect(() => hmacTokens({ secret: 'short' })).toThrow(expect.objectContaining({ code: 'E_OPTION_INVALID' }));
    expect(() => tokens.sign({ sub: '', rooms: '*', expiresIn: 60 })).toThrow(expect.objectContaining({ code: 'E_OPTION_INVALID' }));
    expect(() => tokens.sign({ sub: 'a', rooms: ['bad room!'], expiresIn: 60 })).toThrow(
      expect.objectContaining({ code: 'E_OPTION_INVALID' }),
    );
    expect(() => tokens.sign({ sub: 'a', rooms: '*', expiresIn: 0 })).toThrow(expect.objectContaining({ code: 'E_OPTION_INVALID' }));
  });
});

describe('hub authentication with hmacTokens', () => {
  const tokens = hmacTokens({ secret: SECRET });
  const expired = hmacTokens({ secret: SECRET, now: () => Date.now() - 3_600_000 }).sign({ sub: 'old', rooms: '*', expiresIn: 60 });
  const foreign = hmacTokens({ secret: `${SECRET}-other` }).sign({ sub: 'eve', rooms: '*', expiresIn: 60 });
  let started: StartedHub;
  const clients: RawClient[] = [];
  const nextId = opIds('auth');
  const expected = { E_UNAUTHORIZED: 0, E_FORBIDDEN: 0 };

  beforeAll(async () => {
    started = await startHub({ authenticate: tokens.authenticate });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  });
  afterAll(() => started.hub.close());

  const cases: [string, () => string | undefined, 'E_UNAUTHORIZED' | 'E_FORBIDDEN'][] = [
    ['no token', () => undefined, 'E_UNAUTHORIZED'],
    ['a bad signature', () => foreign, 'E_UNAUTHORIZED'],
    ['an expired token', () => expired, 'E_UNAUTHORIZED'],
    ['a token for another room', () => tokens.sign({ sub: 'bob', rooms: ['elsewhere'], expiresIn: 60 }), 'E_FORBIDDEN'],
  ];
  const closeCode = { E_UNAUTHORIZED: 4401, E_FORBIDDEN: 4403 };
  const status = { E_UNAUTHORIZED: 401, E_FORBIDDEN: 403 };

  describe.each<Kind>(['ws', 'sse', 'poll'])('over %s', (kind) => {
    it.each(cases)('refuses %s; nothing sent with it is applied', async (_what, token, code) => {
      const room = `secret-${kind}-${code}`;
      const client = await connect(kind, started.url);
      clients.push(client);
      // Ops sent right behind the hello must not slip in while it is being checked.
      const helloFrame = { v: 1, type: 'hello', lastSeq: 0, room, ...(token() !== undefined ? { token: token() } : {}) };
      let outcome: { ok: boolean; status: number };
      if (kind === 'ws') {
        void client.send(helloFrame);
        void client.send(opsFrame([counterOp(nextId())]));
        await client.waitFor(() => client.ended !== undefined, 'closed');
        outcome = { ok: false, status: client.ended!.code };
      } else {
        outcome = await client.hello(room, token() === undefined ? {} : { token: token()! });
        expect(await client.send(opsFrame([counterOp(nextId())]))).toBe(404); // the session is gone
      }
      expected[code]++;
      expect(outcome).toEqual({ ok: false, status: kind === 'ws' ? closeCode[code] : status[code] });
      if (kind !== 'poll') {
        await client.waitFor(() => client.ended !== undefined, 'stream ended');
        expect(client.errors().map((e) => e.code)).toEqual([code]);
      }
      expect(client.messages('welcome')).toEqual([]);
      expect(await started.hub.head(room)).toBe(0);
      expect(await started.hub.value(room, 'count')).toBeUndefined();
    });

    it('lets a valid token in and shows its holder to the others', async () => {
      const room = `team-${kind}`;
      const ann = await wsClient(started.url);
      const other = await connect(kind, started.url);
      clients.push(ann, other);
      expect(await ann.hello(room, { token: tokens.sign({ sub: 'ann', rooms: [room], expiresIn: 60 }) })).toEqual(
        expect.objectContaining({ ok: true }),
      );
      expect(await other.hello(room, { token: tokens.sign({ sub: 'bob', rooms: '*', expiresIn: 60 }) })).toEqual(
        expect.objectContaining({ ok: true }),
      );
      expect(other.messages('peers')[0]!.data['peers']).toEqual([{ peer: expect.any(String), state: null, principal: 'ann' }]);
      await ann.waitFor(() => ann.messages('peer').length === 1, 'bob arrives');
      expect(ann.messages('peer')[0]!.data).toEqual(expect.objectContaining({ principal: 'bob' }));
      await other.send(opsFrame([counterOp(nextId())]));
      await ann.waitFor(() => ann.messages('op').length === 1, 'op');
    });
  });

  it('counts every refusal in /metrics by code', async () => {
    const metrics = await scrape(started.url);
    expect(metrics.get('rxsync_hub_rejects_total{code="E_UNAUTHORIZED"}')).toBe(expected.E_UNAUTHORIZED);
    expect(metrics.get('rxsync_hub_rejects_total{code="E_FORBIDDEN"}')).toBe(expected.E_FORBIDDEN);
    expect(expected.E_UNAUTHORIZED).toBe(9);
  });

  it('fails closed when authenticate throws, and awaits an async one', async () => {
    let calls = 0;
    const hub = await startHub({
      authenticate: async (token, room) => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (token === 'boom') throw new Error('database down');
        return room === 'open' ? { ok: true, principal: token ?? 'anon' } : { ok: false, reason: 'forbidden' };
      },
    });
    try {
      const a = await wsClient(hub.url);
      expect(await a.hello('open', { token: 'boom' })).toEqual({ ok: false, status: 4401 });
      expect(a.errors()[0]).toEqual(expect.objectContaining({ code: 'E_UNAUTHORIZED', message: 'authentication failed' }));
      const b = await wsClient(hub.url);
      expect(await b.hello('open', { token: 'zoe' })).toEqual(expect.objectContaining({ ok: true }));
      const c = await wsClient(hub.url);
      expect(await c.hello('shut')).toEqual({ ok: false, status: 4403 });
      expect(calls).toBe(3);
      await b.close();
    } finally {
      await hub.hub.close();
    }
  });
});
