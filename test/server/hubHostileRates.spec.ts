import fc from 'fast-check';
import { parseDecimal } from '../../server/decimal.js';
import { fcParams } from '../support/fc.js';
import { counterOp, opsFrame, scrape } from './fixtures/hubFixture.js';
import { useHubTestBed } from './fixtures/hubTestBed.js';
import { pollClient, wsClient } from './fixtures/rawClients.js';

/** Spellings `Number()` accepts (or nearly) that a strict decimal reader must refuse. */
const LAX_NUMBERS = [
  'abc',
  '-1',
  '1e400',
  '1e3',
  '0x10',
  '0b1',
  '0o7',
  '1.5',
  '1.0',
  '+1',
  '',
  ' 1',
  '1 ',
  '01',
  '00',
  'Infinity',
  'NaN',
  '9007199254740992',
  '99999999999999999999',
  '１',
];

/** An independent oracle: the canonical decimal spelling of a non-negative safe integer. */
function isCanonical(text: string): boolean {
  const value = Number(text);
  return text !== '' && Number.isSafeInteger(value) && value >= 0 && String(value) === text && !Object.is(value, -0);
}

const numberLike = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.stringMatching(/^[+-]?[0-9]{0,20}(\.[0-9]{0,3})?([eE][+-]?[0-9]{1,3})?$/),
  fc.bigInt({ min: 0n, max: 2n ** 60n }).map(String),
  fc.nat().map((n) => `0${n}`),
  fc.constantFrom(...LAX_NUMBERS, '0', '1', '9007199254740991'),
);

async function helloPoll(url: string, cid: string, room: string): Promise<void> {
  const response = await fetch(`${url}/send?cid=${cid}`, {
    method: 'POST',
    body: JSON.stringify({ v: 1, type: 'hello', lastSeq: 0, room }),
  });
  if (response.status !== 204) throw new Error(`hello answered ${response.status}`);
}

describe('hub rates and numbers', () => {
  const { hubWith, clients } = useHubTestBed();

  it('counts binary WebSocket frames against the rate: a flood of 2,000 is closed with 4429, not answered 2,000 times', async () => {
    const { url, hub } = await hubWith({ limits: { messagesPerSecond: 0.001, messageBurst: 50 } });
    const attacker = await wsClient(url);
    clients.push(attacker);
    await attacker.hello('binary');
    for (let i = 0; i < 2000; i++) attacker.socket.send(Buffer.from([0xff, i & 0xff]));
    await attacker.waitFor(() => attacker.ended !== undefined, 'closed for its rate');
    expect(attacker.ended).toEqual({ code: 4429 });
    const codes = attacker.errors().map((e) => e.code);
    // The hello took one token; each binary frame one more, answered until the bucket was empty.
    expect(codes.filter((c) => c === 'E_FRAME_INVALID').length).toBe(49);
    expect(codes.at(-1)).toBe('E_RATE_LIMITED');
    // The hub carries on for everyone else.
    const writer = await wsClient(url);
    clients.push(writer);
    await writer.hello('binary');
    await writer.send(opsFrame([counterOp('after-binary')]));
    await writer.waitFor(() => writer.messages('ack').length === 1, 'ack');
    expect(await hub.head('binary')).toBe(1);
  });

  it('rate-limits polls per session: 429 with Retry-After, the session stays', async () => {
    const { url } = await hubWith({ limits: { messagesPerSecond: 0.001, messageBurst: 3 } });
    await helloPoll(url, 'poller-1', 'polls');
    for (let i = 0; i < 3; i++) expect((await fetch(`${url}/poll?cid=poller-1&since=0`)).status).toBe(200);
    const refused = await fetch(`${url}/poll?cid=poller-1&since=0`);
    expect(refused.status).toBe(429);
    // One token comes back after 1 / 0.001 s.
    expect(refused.headers.get('retry-after')).toBe('1000');
    expect(JSON.parse(await refused.text())).toEqual(expect.objectContaining({ type: 'error', code: 'E_RATE_LIMITED' }));
    // Polls have their own bucket: a POSTed ping still goes through, the session is alive.
    const ping = await fetch(`${url}/send?cid=poller-1`, { method: 'POST', body: JSON.stringify({ v: 1, type: 'ping', id: 7 }) });
    expect(ping.status).toBe(204);
    expect((await scrape(url)).get('rxsync_hub_rejects_total{code="E_RATE_LIMITED"}')).toBe(1);
  });

  it('counts an empty POST against the rate: over it, 429 with Retry-After and the session ends', async () => {
    const { url } = await hubWith({ limits: { messagesPerSecond: 0.001, messageBurst: 3 } });
    const client = pollClient(url, { pollEvery: 0 });
    expect(await client.hello('posts')).toEqual(expect.objectContaining({ ok: true }));
    // The hello took one token of three.
    for (let i = 0; i < 2; i++) expect((await fetch(`${url}/send?cid=${client.cid}`, { method: 'POST', body: '' })).status).toBe(204);
    const refused = await fetch(`${url}/send?cid=${client.cid}`, { method: 'POST', body: '' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(await refused.text())).toEqual(expect.objectContaining({ code: 'E_RATE_LIMITED' }));
    expect(await client.poll()).toBe(404);
  });

  it('reads only canonical non-negative safe integers (fast-check over arbitrary strings)', () => {
    fc.assert(
      fc.property(numberLike, (text) => {
        const parsed = parseDecimal(text);
        if (isCanonical(text)) expect(parsed).toBe(Number(text));
        else expect(parsed).toBeUndefined();
      }),
      fcParams(2000),
    );
    for (const lax of LAX_NUMBERS) expect(parseDecimal(lax)).toBeUndefined();
    expect(parseDecimal(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseDecimal(null)).toBeUndefined();
  });

  it('takes only non-negative safe integers as frame numbers: ping ids of arbitrary JSON spellings get a pong or E_FRAME_INVALID', async () => {
    const { url } = await hubWith({ limits: { messagesPerSecond: 1e9, messageBurst: 1e9 } });
    const client = await wsClient(url);
    clients.push(client);
    await client.hello('frame-numbers');
    const jsonNumber = fc.oneof(
      fc.stringMatching(/^-?(0|[1-9][0-9]{0,19})(\.[0-9]{1,3})?([eE][+-]?[0-9]{1,3})?$/),
      fc.constantFrom('-1', '1e400', '1.5', '-0', '9007199254740991', '9007199254740992', '0', '7'),
    );
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(jsonNumber, async (text) => {
        const value = JSON.parse(text) as number;
        const valid = Number.isSafeInteger(value) && value >= 0;
        const before = client.received.length;
        await client.sendRaw(`{"v":1,"type":"ping","id":${text}}`);
        sent++;
        await client.waitFor(() => client.received.length > before, `a reply to ping ${text}`);
        const reply = client.received[before]!;
        // JSON -0 is the number 0 (echoed as 0).
        if (valid) expect(reply).toEqual({ v: 1, type: 'pong', id: value === 0 ? 0 : value });
        else expect(reply).toEqual(expect.objectContaining({ type: 'error', code: 'E_FRAME_INVALID' }));
      }),
      fcParams(200),
    );
    expect(sent).toBeGreaterThan(0);
    expect(client.ended).toBeUndefined();
  });

  it('refuses lax numbers in /poll and /sse URLs with 400 E_FRAME_INVALID; canonical ones are answered', async () => {
    const { url, hub } = await hubWith({ limits: { messagesPerSecond: 1e9, messageBurst: 1e9 } });
    const writer = await wsClient(url);
    clients.push(writer);
    await writer.hello('numbers');
    await writer.send(opsFrame([counterOp('n1'), counterOp('n2')]));
    await writer.waitFor(() => writer.messages('ack').length === 1, 'ack');
    await helloPoll(url, 'numbers-1', 'numbers');
    const poll = async (since: string | undefined): Promise<{ status: number; body: string }> => {
      const query = since === undefined ? '' : `&since=${encodeURIComponent(since)}`;
      const response = await fetch(`${url}/poll?cid=numbers-1${query}`);
      return { status: response.status, body: await response.text() };
    };
    for (const lax of [...LAX_NUMBERS, undefined]) {
      const answer = await poll(lax);
      expect({ since: lax, status: answer.status }).toEqual({ since: lax, status: 400 });
      expect(JSON.parse(answer.body)).toEqual(expect.objectContaining({ type: 'error', code: 'E_FRAME_INVALID' }));
    }
    const ops = (body: string): number[] =>
      body
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { seq?: number })
        .flatMap((f) => (f.seq === undefined ? [] : [f.seq]));
    expect(ops((await poll('0')).body)).toEqual([1, 2]);
    expect(ops((await poll('1')).body)).toEqual([2]);
    // Over the real hub, arbitrary strings: only the canonical ones are answered 200.
    await fc.assert(
      fc.asyncProperty(numberLike, async (text) => {
        const { status } = await poll(text);
        expect(status).toBe(isCanonical(text) ? 200 : 400);
      }),
      fcParams(150),
    );
    for (const lax of ['-1', '1e400', '0x10', '']) {
      const response = await fetch(`${url}/sse?cid=sse-${LAX_NUMBERS.indexOf(lax)}&lastEventId=${encodeURIComponent(lax)}`);
      expect(response.status).toBe(400);
      expect(JSON.parse(await response.text())).toEqual(expect.objectContaining({ code: 'E_FRAME_INVALID' }));
    }
    expect(await hub.head('numbers')).toBe(2);
  });
});
