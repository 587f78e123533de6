// Standard tokens: jwtTokens against a real hub on 127.0.0.1, raw protocol clients, keys made with jose.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { jwtTokens, type JwtTokens } from '../../server/jwtTokens.js';
import { matchesRoom } from '../../server/roomPattern.js';
import { counterOp, opsFrame, presenceFrame, scrape, startHub, type StartedHub } from './fixtures/hubFixture.js';
import { startHubProcess } from './fixtures/hubProcess.js';
import { connect, opIds, wsClient, type Kind, type RawClient } from './fixtures/rawClients.js';

const ISSUER = 'https://id.test/';
const AUDIENCE = 'rxsync-hub';
const SECRET_1 = new TextEncoder().encode('jwt-test-secret-one-0123456789abcdef');
const SECRET_2 = new TextEncoder().encode('jwt-test-secret-two-0123456789abcdef');
const SECRET_OTHER = new TextEncoder().encode('jwt-test-secret-eve-0123456789abcdef');

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

interface SignOptions {
  readonly kid?: string;
  readonly alg?: string;
  readonly key?: Uint8Array | CryptoKey;
}

/** A token with valid defaults (ann, rooms `jwt-*`, 10 minutes); `claims` overrides them, `undefined` removes one. */
function sign(claims: Record<string, unknown> = {}, { kid = 'k1', alg = 'HS256', key = SECRET_1 }: SignOptions = {}): Promise<string> {
  const payload: Record<string, unknown> = { iss: ISSUER, aud: AUDIENCE, sub: 'ann', exp: nowSeconds() + 600, rooms: ['jwt-*'], ...claims };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload as JWTPayload).setProtectedHeader({ alg, kid }).setIssuedAt().sign(key);
}

describe('room patterns', () => {
  it.each([
    ['board:*', 'board:1', true],
    ['board:*', 'board:', true],
    ['board:*', 'boards:1', false],
    ['*', 'anything', true],
    ['a*z', 'az', true],
    ['a*z', 'abcz', true],
    ['a*z', 'abc', false],
    ['a*b*c', 'abbc', true],
    ['a*b*c', 'acb', false],
    ['*:ab*ab', 'x:ab', false],
    ['exact', 'exact', true],
    ['exact', 'exactly', false],
  ])('%s against %s → %s', (pattern, room, expected) => {
    expect(matchesRoom(pattern, room)).toBe(expected);
  });
});

describe('jwtTokens.verify', () => {
  const tokens = jwtTokens({ keys: { k1: SECRET_1, k2: SECRET_2 }, issuer: ISSUER, audience: AUDIENCE });

  it('accepts a valid token: principal, expiry (plus the clock tolerance), claims', async () => {
    const exp = nowSeconds() + 600;
    const check = await tokens.verify(await sign({ exp, extra: 'x' }));
    expect(check).toEqual({ ok: true, principal: 'ann', expiresAt: (exp + 5) * 1000, payload: expect.objectContaining({ extra: 'x' }) });
  });

  it.each<[string, () => Promise<string | undefined>, string]>([
    ['no token', async () => undefined, 'missing'],
    ['garbage', async () => 'not.a.jwt', 'malformed'],
    ['an expired token', () => sign({ exp: nowSeconds() - 60 }), 'expired'],
    ['nbf in the future', () => sign({ nbf: nowSeconds() + 60 }), 'not-yet-valid'],
    ['a wrong audience', () => sign({ aud: 'another-service' }), 'audience'],
    ['a wrong issuer', () => sign({ iss: 'https://evil.test/' }), 'issuer'],
    ['an unknown kid', () => sign({}, { kid: 'k9' }), 'unknown-key'],
    ['a bad signature', () => sign({}, { key: SECRET_OTHER }), 'signature'],
    ['no sub', () => sign({ sub: undefined }), 'claims'],
    ['no exp', () => sign({ exp: undefined }), 'claims'],
  ])('refuses %s as %s', async (_what, token, reason) => {
    expect(await tokens.verify(await token())).toEqual({ ok: false, reason, message: expect.any(String) });
  });

  it('keeps expiry within the clock tolerance, and honours `algorithms`', async () => {
    expect(await tokens.verify(await sign({ exp: nowSeconds() - 2 }))).toEqual(expect.objectContaining({ ok: true }));
    const strict = jwtTokens({ secret: SECRET_1, issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS512'] });
    expect(await strict.verify(await sign())).toEqual(expect.objectContaining({ ok: false, reason: 'algorithm' }));
    expect(await strict.verify(await sign({}, { alg: 'HS512' }))).toEqual(expect.objectContaining({ ok: true }));
  });

  it('refuses unusable options with E_OPTION_INVALID', () => {
    const base = { issuer: ISSUER, audience: AUDIENCE };
    const options: Parameters<typeof jwtTokens>[0][] = [
      { ...base },
      { ...base, secret: SECRET_1, keys: { k1: SECRET_1 } },
      { ...base, secret: 'too short' },
      { ...base, keys: {} },
      { ...base, jwks: 'not a url' },
      { ...base, publicKey: '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----' },
      { ...base, secret: SECRET_1, audience: [] },
      { ...base, secret: SECRET_1, clockTolerance: -1 },
    ];
    for (const option of options) {
      expect(() => jwtTokens(option)).toThrow(expect.objectContaining({ code: 'E_OPTION_INVALID' }));
    }
  });
});

describe('hub with jwtTokens: every refusal has its code and applies nothing', () => {
  const tokens = jwtTokens({ keys: { k1: SECRET_1, k2: SECRET_2 }, issuer: ISSUER, audience: AUDIENCE });
  let started: StartedHub;
  const clients: RawClient[] = [];
  const nextId = opIds('jwt');
  const counted: Record<string, number> = {};

  beforeAll(async () => {
    started = await startHub({ authenticate: tokens.authenticate });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  });
  afterAll(() => started.hub.close());

  const cases: [string, () => Promise<string>, 'E_UNAUTHORIZED' | 'E_FORBIDDEN', string][] = [
    ['an expired token', () => sign({ exp: nowSeconds() - 60 }), 'E_UNAUTHORIZED', 'token expired'],
    ['nbf in the future', () => sign({ nbf: nowSeconds() + 60 }), 'E_UNAUTHORIZED', 'token not yet valid (nbf)'],
    ['a wrong audience', () => sign({ aud: 'another-service' }), 'E_UNAUTHORIZED', 'token audience not accepted'],
    ['a wrong issuer', () => sign({ iss: 'https://evil.test/' }), 'E_UNAUTHORIZED', 'token issuer not accepted'],
    ['an unknown kid', () => sign({}, { kid: 'k9' }), 'E_UNAUTHORIZED', 'token signed with an unknown key (kid)'],
    ['a bad signature', () => sign({}, { key: SECRET_OTHER }), 'E_UNAUTHORIZED', 'bad token signature'],
    ['a room not in the claim', () => sign({ rooms: ['board:*'] }), 'E_FORBIDDEN', 'ann may not join'],
  ];
  const closeCode = { E_UNAUTHORIZED: 4401, E_FORBIDDEN: 4403 };
  const status = { E_UNAUTHORIZED: 401, E_FORBIDDEN: 403 };

  describe.each<Kind>(['ws', 'sse', 'poll'])('over %s', (kind) => {
    it.each(cases)('refuses %s', async (what, token, code, message) => {
      const room = `jwt-${kind}-${what.replace(/[^a-z]/g, '')}`;
      const signed = await token();
      const client = await connect(kind, started.url);
      clients.push(client);
      let outcome: { ok: boolean; status: number };
      if (kind === 'ws') {
        // Ops right behind the hello must not slip in while the token is checked.
        void client.send({ v: 1, type: 'hello', lastSeq: 0, room, token: signed });
        void client.send(opsFrame([counterOp(nextId())]));
        await client.waitFor(() => client.ended !== undefined, 'closed');
        outcome = { ok: false, status: client.ended!.code };
      } else {
        outcome = await client.hello(room, { token: signed });
        expect(await client.send(opsFrame([counterOp(nextId())]))).toBe(404);
      }
      counted[code] = (counted[code] ?? 0) + 1;
      expect(outcome).toEqual({ ok: false, status: kind === 'ws' ? closeCode[code] : status[code] });
      if (kind !== 'poll') {
        await client.waitFor(() => client.ended !== undefined, 'stream ended');
        expect(client.errors()).toEqual([expect.objectContaining({ code, message: expect.stringContaining(message) })]);
      }
      expect(client.messages('welcome')).toEqual([]);
      expect(await started.hub.head(room)).toBe(0);
      expect(await started.hub.value(room, 'count')).toBeUndefined();
    });

    it('a read-only room: joins, sees edits and presence, every op of its own rejected E_READ_ONLY, nothing applied', async () => {
      const room = `jwt-ro-${kind}`;
      const writer = await wsClient(started.url);
      const reader = await connect(kind, started.url);
      clients.push(writer, reader);
      expect(await writer.hello(room, { token: await sign({ sub: 'wendy' }) })).toEqual(expect.objectContaining({ ok: true }));
      const readOnlyToken = await sign({ sub: 'rita', rooms: ['jwt-*'], readOnlyRooms: ['jwt-ro-*'] });
      expect(await reader.hello(room, { token: readOnlyToken })).toEqual(expect.objectContaining({ ok: true }));

      const refused = [counterOp(nextId()), counterOp(nextId())];
      await reader.send(opsFrame(refused));
      await reader.waitFor(() => reader.messages('reject').length === 1, 'reject');
      expect(reader.messages('reject')[0]!.data).toEqual({
        kind: 'reject',
        ids: refused.map((op) => op.id),
        code: 'E_READ_ONLY',
        message: expect.any(String),
      });
      await reader.send(presenceFrame({ cursor: 3 }));
      await writer.waitFor(() => writer.messages('peer').some((m) => m.data['principal'] === 'rita'), 'reader presence');

      await writer.send(opsFrame([counterOp(nextId())]));
      await reader.waitFor(() => reader.messages('op').length === 1, 'the writer’s op reaches the reader');
      expect(await started.hub.head(room)).toBe(1);
      expect(await started.hub.value(room, 'count')).toEqual({ type: 'pn-counter', value: 1 });
      expect(reader.messages('ack')).toEqual([]);
      counted['E_READ_ONLY'] = (counted['E_READ_ONLY'] ?? 0) + 2;
    });
  });

  it('`readOnlyRooms: true` makes every granted room read-only, and grants no other room', async () => {
    const token = await sign({ readOnlyRooms: true });
    const reader = await wsClient(started.url);
    clients.push(reader);
    expect(await reader.hello('jwt-all-ro', { token })).toEqual(expect.objectContaining({ ok: true }));
    await reader.send(opsFrame([counterOp(nextId())]));
    await reader.waitFor(() => reader.messages('reject').length === 1, 'reject');
    expect(reader.messages('reject')[0]!.data['code']).toBe('E_READ_ONLY');
    counted['E_READ_ONLY'] = (counted['E_READ_ONLY'] ?? 0) + 1;
    const outside = await wsClient(started.url);
    clients.push(outside);
    expect(await outside.hello('elsewhere', { token })).toEqual({ ok: false, status: 4403 });
    counted['E_FORBIDDEN'] = (counted['E_FORBIDDEN'] ?? 0) + 1;
  });

  it('counts every refusal in /metrics by code', async () => {
    const metrics = await scrape(started.url);
    for (const code of ['E_UNAUTHORIZED', 'E_FORBIDDEN', 'E_READ_ONLY']) {
      expect([code, metrics.get(`rxsync_hub_rejects_total{code="${code}"}`)]).toEqual([code, counted[code]]);
    }
  });
});

describe('key rotation', () => {
  it('accepts tokens of both kids; a hub that dropped a kid refuses its tokens', async () => {
    const both = await startHub({
      authenticate: jwtTokens({ keys: { k1: SECRET_1, k2: SECRET_2 }, issuer: ISSUER, audience: AUDIENCE }).authenticate,
    });
    const onlyNew = await startHub({
      authenticate: jwtTokens({ keys: { k2: SECRET_2 }, issuer: ISSUER, audience: AUDIENCE }).authenticate,
    });
    const old = await sign({}, { kid: 'k1', key: SECRET_1 });
    const fresh = await sign({}, { kid: 'k2', key: SECRET_2 });
    // The right key under the wrong kid is no key at all.
    const mislabelled = await sign({}, { kid: 'k2', key: SECRET_1 });
    try {
      const outcomes: [string, string, number][] = [];
      for (const [hubName, hub] of [
        ['both', both],
        ['onlyNew', onlyNew],
      ] as const) {
        for (const [tokenName, token] of [
          ['old', old],
          ['fresh', fresh],
          ['mislabelled', mislabelled],
        ] as const) {
          const client = await wsClient(hub.url);
          const outcome = await client.hello('jwt-rotation', { token });
          outcomes.push([hubName, tokenName, outcome.status]);
          if (!outcome.ok)
            outcomes.push([hubName, tokenName, client.errors()[0]!.message === 'token signed with an unknown key (kid)' ? 1 : 0]);
          await client.close();
        }
      }
      expect(outcomes).toEqual([
        ['both', 'old', 101],
        ['both', 'fresh', 101],
        ['both', 'mislabelled', 4401],
        ['both', 'mislabelled', 0],
        ['onlyNew', 'old', 4401],
        ['onlyNew', 'old', 1],
        ['onlyNew', 'fresh', 101],
        ['onlyNew', 'mislabelled', 4401],
        ['onlyNew', 'mislabelled', 0],
      ]);
    } finally {
      await both.hub.close();
      await onlyNew.hub.close();
    }
  });
});

describe('asymmetric keys and a JWKS served over HTTP', () => {
  type Pair = { kid: string; alg: string; privateKey: CryptoKey; jwk: JWK };
  const pairs: Pair[] = [];
  let served: JWK[] = [];
  let failing = false;
  let fetches = 0;
  let jwksServer: Server;
  let jwksUrl: string;
  let started: StartedHub;
  let tokens: JwtTokens;

  beforeAll(async () => {
    for (const [kid, alg] of [
      ['rsa-1', 'RS256'],
      ['ec-1', 'ES256'],
      ['ed-1', 'EdDSA'],
    ] as const) {
      const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
      pairs.push({ kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } });
    }
    jwksServer = createServer((_request, response) => {
      fetches++;
      if (failing) response.writeHead(500).end('down');
      else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: served }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
    // No cooldown and a 1 ms cache: every unknown kid and every later check fetches the set again.
    tokens = jwtTokens({ jwks: jwksUrl, jwksCache: { cooldown: 0, maxAge: 1 }, issuer: ISSUER, audience: AUDIENCE });
    started = await startHub({ authenticate: tokens.authenticate });
  });
  afterAll(async () => {
    await started.hub.close();
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  const pair = (kid: string): Pair => pairs.find((p) => p.kid === kid)!;
  const signWith = (kid: string, claims: Record<string, unknown> = {}): Promise<string> =>
    sign(claims, { kid, alg: pair(kid).alg, key: pair(kid).privateKey });
  const join = async (token: string): Promise<{ status: number; code?: string }> => {
    const client = await wsClient(started.url);
    const outcome = await client.hello('jwt-jwks', { token });
    const code = client.errors()[0]?.code;
    await client.close();
    return code === undefined ? { status: outcome.status } : { status: outcome.status, code };
  };
  const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  it('verifies RS256, ES256 and EdDSA tokens against the fetched set', async () => {
    served = pairs.map((p) => p.jwk);
    for (const { kid } of pairs) expect([kid, await join(await signWith(kid))]).toEqual([kid, { status: 101 }]);
    expect(fetches).toBeGreaterThan(0);
  });

  it('rotation: a kid the set gains is fetched on demand; a kid it drops is refused', async () => {
    served = [pair('rsa-1').jwk];
    await pause(5);
    expect(await join(await signWith('ec-1'))).toEqual({ status: 4401, code: 'E_UNAUTHORIZED' });
    served = [pair('rsa-1').jwk, pair('ec-1').jwk];
    expect(await join(await signWith('ec-1'))).toEqual({ status: 101 });
    served = [pair('ec-1').jwk];
    await pause(5);
    expect(await join(await signWith('rsa-1'))).toEqual({ status: 4401, code: 'E_UNAUTHORIZED' });
    expect(await join(await signWith('ec-1'))).toEqual({ status: 101 });
  });

  it('a token signed with another key under a known kid has a bad signature', async () => {
    served = pairs.map((p) => p.jwk);
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await sign({}, { kid: 'ec-1', alg: 'ES256', key: privateKey });
    expect(await tokens.verify(forged)).toEqual(expect.objectContaining({ ok: false, reason: 'signature' }));
    expect(await join(forged)).toEqual({ status: 4401, code: 'E_UNAUTHORIZED' });
  });

  it('when the key set cannot be fetched, the hello is refused as unavailable (4503, retried with backoff), not as a bad token', async () => {
    failing = true;
    await pause(5);
    try {
      expect(await tokens.verify(await signWith('ed-1'))).toEqual(expect.objectContaining({ ok: false, reason: 'keys-unavailable' }));
      expect(await join(await signWith('ed-1'))).toEqual({ status: 4503, code: 'E_AUTH_UNAVAILABLE' });
    } finally {
      failing = false;
    }
  });

  it('a PEM public key works as `publicKey`; an HS256 token made with that PEM as secret is refused', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    const byPem = jwtTokens({ publicKey: pem, issuer: ISSUER, audience: AUDIENCE });
    expect(await byPem.verify(await sign({}, { alg: 'RS256', key: privateKey }))).toEqual(expect.objectContaining({ ok: true }));
    // The classic algorithm confusion: the public key text used as an HMAC secret.
    const confused = await sign({}, { alg: 'HS256', key: new TextEncoder().encode(pem) });
    expect(await byPem.verify(confused)).toEqual(expect.objectContaining({ ok: false, reason: 'algorithm' }));
  });
});

describe('rxsync-hub command with JWT options', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rxsync-hub-jwt-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('--jwt-secret-file with --issuer and --audience checks JWTs', async () => {
    const secretFile = join(dir, 'jwt.secret');
    writeFileSync(secretFile, SECRET_1);
    const hub = await startHubProcess(join(dir, 'data'), ['--jwt-secret-file', secretFile, '--issuer', ISSUER, '--audience', AUDIENCE]);
    try {
      const good = await wsClient(hub.url);
      expect(await good.hello('jwt-cli', { token: await sign() })).toEqual(expect.objectContaining({ ok: true }));
      const foreign = await wsClient(hub.url);
      expect(await foreign.hello('jwt-cli', { token: await sign({ aud: 'another-service' }) })).toEqual({ ok: false, status: 4401 });
      await good.close();
    } finally {
      hub.child.kill('SIGTERM');
    }
    expect(await hub.exited).toBe(0);
    // The hub logs JSON lines; nothing at warn (40) or above means the token option was taken.
    const logged = hub
      .stderr()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(logged.filter((line) => line.level >= 40)).toEqual([]);
  });

  it.each([
    ['a JWT option without --issuer', ['--jwt-secret-file', 'x', '--audience', AUDIENCE]],
    [
      'two token options',
      ['--secret', 'cli-test-secret-0123456789', '--jwks-url', 'http://127.0.0.1:1/jwks', '--issuer', 'i', '--audience', 'a'],
    ],
    ['--issuer without a JWT option', ['--issuer', ISSUER]],
  ])('refuses %s (exit 2)', async (_what, args) => {
    await expect(startHubProcess(join(dir, 'data'), args)).rejects.toThrow(/exited with 2/);
  });
});
