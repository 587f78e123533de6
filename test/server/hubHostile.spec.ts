import fc from 'fast-check';
import { docKindOf } from '../../lib/crdt/docTypes.js';
import { parseClientMessage } from '../../lib/protocol/hubMessages.js';
import { parseFrame } from '../../lib/protocol/parseFrame.js';
import { fcParams, seed } from '../support/fc.js';
import { counterOp, opsFrame, scrape, startHub, type StartedHub } from './fixtures/hubFixture.js';
import { wsClient } from './fixtures/rawClients.js';

const ROOM = 'hostile';
const MAX_FRAME = 256 * 1024;
const MAX_PRESENCE = 1024;

/**
 * The reply a frame must get from a joined session, worked out with the validators themselves
 * (tested on their own): one error frame with a code, or a `reject` of every op in it. Frames that
 * are valid (and would act: a ping, a bye, a presence the room accepts) are not hostile: skipped.
 */
function expectedReply(text: string): string | 'skip' {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'E_FRAME_INVALID';
  }
  let frame;
  try {
    frame = parseFrame(value);
  } catch {
    return 'E_FRAME_INVALID';
  }
  if (frame.type === 'hello') return 'E_HELLO_REPEATED';
  if (frame.type !== 'data') return 'skip';
  let message;
  try {
    message = parseClientMessage(frame.data, { maxOpsPerMessage: 16 });
  } catch {
    return 'E_MESSAGE_INVALID';
  }
  // A token message on a hub without `authenticate` is accepted and changes nothing.
  if (message.kind === 'token') return 'skip';
  if (message.kind === 'presence') return Buffer.byteLength(JSON.stringify(message.state)) > MAX_PRESENCE ? 'E_TOO_LARGE' : 'skip';
  // The room is not end-to-end: the hub takes no client snapshots there.
  if (message.kind === 'snapshot') return 'E_SNAPSHOT_INVALID';
  const allInvalid = message.ops.every((op) => {
    try {
      docKindOf(op.type).decode(op.body);
      return false;
    } catch {
      return true;
    }
  });
  return allInvalid ? 'reject:E_OP_INVALID' : 'skip';
}

const reserved = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty');
const key = fc.oneof(reserved, fc.string({ maxLength: 8 }));
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    fc.string({ maxLength: 20 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
})).value;
const deep = fc.integer({ min: 60, max: 200 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth));
const docType = fc.oneof(
  fc.constantFrom('lww-map', 'lww-register', 'mv-register', 'pn-counter', 'or-set', 'mv-map'),
  fc.string({ maxLength: 12 }),
);
const opId = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.string({ maxLength: 70 }));
const op = fc.record({ id: opId, doc: fc.oneof(fc.constant('count'), fc.string({ maxLength: 10 })), type: docType, body: json });
const wellFormedOp = fc.record({
  id: fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/),
  doc: fc.constantFrom('count', 'notes', '__proto__', 'constructor'),
  type: fc.constantFrom('lww-map', 'lww-register', 'mv-register', 'pn-counter', 'or-set', 'mv-map'),
  body: fc.oneof(
    json,
    json.map((body) => ({ type: 'pn-counter', v: 1, inc: body, dec: [] })),
    json.map((fields) => ({ type: 'mv-map', v: 1, fields })),
  ),
});
const huge = fc.integer({ min: 2_000, max: 120_000 }).map((n) => 'x'.repeat(n));

/** Hostile frames, as wire text. */
const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }), // mostly not JSON
  fc.jsonValue().map((v) => JSON.stringify(v)),
  json.map((v) => JSON.stringify(v)).map((s) => s.slice(0, Math.max(1, s.length - 1))), // truncated JSON
  fc
    .record(
      {
        v: fc.oneof(fc.constant(1), json),
        type: fc.oneof(fc.constantFrom('data', 'hello', 'ping', 'pong', 'error'), fc.string()),
        seq: json,
        lastSeq: json,
        id: json,
        room: json,
        token: json,
        data: json,
      },
      { requiredKeys: ['v', 'type'] },
    )
    .map((f) => JSON.stringify(f)),
  fc.record({ v: fc.constant(1), type: fc.constant('data'), data: json }).map((f) => JSON.stringify(f)),
  fc
    .record({ kind: fc.constant('ops'), ops: fc.array(op, { minLength: 1, maxLength: 20 }) })
    .map((data) => JSON.stringify({ v: 1, type: 'data', data })),
  fc
    .record({ kind: fc.constant('ops'), ops: fc.array(wellFormedOp, { minLength: 1, maxLength: 5 }) })
    .map((data) => JSON.stringify({ v: 1, type: 'data', data })),
  fc
    .record({ kind: fc.constant('ops'), ops: fc.array(op, { minLength: 1, maxLength: 3 }) })
    .map((data) => JSON.stringify({ v: 1, type: 'data', data }).replace('"kind"', '"__proto__":{"kind":"x"},"kind"')),
  deep.map((d) => `{"v":1,"type":"data","data":{"kind":"presence","state":${d}}}`),
  deep.map((d) => `{"v":1,"type":"data","data":{"kind":"ops","ops":[{"id":"a","doc":"count","type":"pn-counter","body":${d}}]}}`),
  huge.map((s) => JSON.stringify({ v: 1, type: 'data', data: { kind: 'presence', state: { note: s } } })),
  huge.map((s) => JSON.stringify({ v: 1, type: 'hello', lastSeq: 0, room: ROOM, token: s })),
  huge.map((s) => JSON.stringify({ v: 1, type: 'data', data: { kind: s } })),
  fc.constant(JSON.stringify({ v: 1, type: 'hello', lastSeq: 0, room: ROOM })),
);

describe(`hub under hostile input (seed ${seed})`, () => {
  let started: StartedHub;
  beforeAll(async () => {
    started = await startHub({
      limits: { messagesPerSecond: 1e9, messageBurst: 1e9, maxFrameBytes: MAX_FRAME, maxPresenceBytes: MAX_PRESENCE, maxOpsPerMessage: 16 },
    });
  });
  afterAll(() => started.hub.close());

  it('answers each of 10,000 random and malformed frames with one coded error, changes nothing, stays up', async () => {
    const writer = await wsClient(started.url);
    await writer.hello(ROOM);
    await writer.send(opsFrame([counterOp('seed-op')]));
    await writer.waitFor(() => writer.messages('ack').length === 1, 'the seed op');
    const observer = await wsClient(started.url);
    await observer.hello(ROOM);
    const before = { head: await started.hub.head(ROOM), value: await started.hub.value(ROOM, 'count') };

    // Not joined yet: data is refused until a hello, whatever it holds.
    const attacker = await wsClient(started.url);
    await attacker.send(opsFrame([counterOp('before-hello')]));
    await attacker.send({ v: 1, type: 'data', data: { kind: 'presence', state: { x: 1 } } });
    await attacker.sendRaw('not json');
    await attacker.waitFor(() => attacker.errors().length === 3, 'three refusals before the hello');
    expect(attacker.errors().map((e) => e.code)).toEqual(['E_HELLO_REQUIRED', 'E_HELLO_REQUIRED', 'E_FRAME_INVALID']);
    await attacker.hello(ROOM);
    const startAt = attacker.received.length;

    const texts = fc.sample(hostileText, fcParams(10_000));
    const expected: string[] = [];
    let sent = 0;
    for (const text of texts) {
      const reply = expectedReply(text);
      if (reply === 'skip') continue;
      expected.push(reply);
      void attacker.sendRaw(text);
      if (++sent % 500 === 0) await attacker.waitFor(() => attacker.received.length - startAt >= sent, `${sent} replies`, 15_000);
    }
    attacker.socket.send(Buffer.from([0xff, 0x00, 0x01])); // binary frames are not protocol
    expected.push('E_FRAME_INVALID');
    await attacker.waitFor(() => attacker.received.length - startAt >= expected.length, 'a reply to every frame', 20_000);

    const byCode = new Map<string, number>();
    for (const e of expected) byCode.set(e, (byCode.get(e) ?? 0) + 1);
    console.log(`hostile frames by expected reply: ${[...byCode].map(([c, n]) => `${c} ${n}`).join(', ')}`);
    const replies = attacker.received
      .slice(startAt)
      .map((f) =>
        f.type === 'error'
          ? f.code!
          : f.data?.kind === 'reject'
            ? `reject:${f.data['code']}`
            : `unexpected:${JSON.stringify(f).slice(0, 80)}`,
      );
    expect(replies.length).toBe(expected.length);
    expect(replies).toEqual(expected);
    expect(expected.length).toBeGreaterThan(9000);
    // Every class of refusal was exercised.
    for (const code of ['E_FRAME_INVALID', 'E_MESSAGE_INVALID', 'E_TOO_LARGE', 'E_HELLO_REPEATED', 'reject:E_OP_INVALID']) {
      expect(byCode.get(code)).toBeGreaterThan(20);
    }
    expect(attacker.ended).toBeUndefined();

    // Nothing changed: same head and value, no op or peer state reached the observer.
    expect(await started.hub.head(ROOM)).toBe(before.head);
    expect(await started.hub.value(ROOM, 'count')).toEqual(before.value);
    expect(observer.messages('op').map((m) => m.seq)).toEqual([1]);
    expect(observer.messages('peer').every((m) => m.data['state'] === null)).toBe(true);

    // A frame over maxFrameBytes is cut by the WebSocket layer itself (close 1009); the hub carries on.
    void attacker.sendRaw(`{"v":1,"type":"data","data":"${'y'.repeat(MAX_FRAME)}"}`);
    await attacker.waitFor(() => attacker.ended !== undefined, 'oversized frame closes the socket');
    expect(attacker.ended).toEqual({ code: 1009 });
    await writer.send(opsFrame([counterOp('after-the-storm')]));
    await observer.waitFor(() => observer.messages('op').length === 2, 'the hub still works');
    expect(await started.hub.value(ROOM, 'count')).toEqual({ type: 'pn-counter', value: 2 });

    const metrics = await scrape(started.url);
    const counted = (code: string): number => metrics.get(`rxsync_hub_rejects_total{code="${code}"}`) ?? 0;
    const tally = (code: string): number => expected.filter((e) => e === code || e === `reject:${code}`).length;
    expect(counted('E_FRAME_INVALID')).toBe(tally('E_FRAME_INVALID') + 1);
    expect(counted('E_MESSAGE_INVALID')).toBe(tally('E_MESSAGE_INVALID'));
    expect(counted('E_TOO_LARGE')).toBe(tally('E_TOO_LARGE') + 1);
    await Promise.all([writer.close(), observer.close()]);
  }, 60_000);

  it('keeps HTTP endpoints safe from bad requests', async () => {
    const { url } = started;
    expect((await fetch(`${url}/nowhere`)).status).toBe(404);
    expect((await fetch(`${url}/sse?cid=bad%20id`)).status).toBe(400);
    expect((await fetch(`${url}/poll?cid=unknown`)).status).toBe(404);
    expect((await fetch(`${url}/send?cid=x`, { method: 'POST', body: 'garbage\n{"v":1}' })).status).toBe(404);
    expect((await fetch(`${url}/send`, { method: 'POST', body: '{}' })).status).toBe(400);
    // A POSTed line over maxFrameBytes: refused with E_TOO_LARGE in the stream, the session stays.
    const cid = 'hostile-poll-1';
    const hello = await fetch(`${url}/send?cid=${cid}`, {
      method: 'POST',
      body: JSON.stringify({ v: 1, type: 'hello', lastSeq: 0, room: ROOM }),
    });
    expect(hello.status).toBe(204);
    const big = await fetch(`${url}/send?cid=${cid}`, {
      method: 'POST',
      body: `{"v":1,"type":"ping","pad":"${'z'.repeat(MAX_FRAME)}"}\n{"v":1,"type":"ping","id":9}`,
    });
    expect(big.status).toBe(204);
    const poll = await (await fetch(`${url}/poll?cid=${cid}&since=0`)).text();
    const frames = poll.split('\n').map((l) => JSON.parse(l) as { type: string; code?: string; id?: number });
    expect(frames.filter((f) => f.type === 'error').map((f) => f.code)).toEqual(['E_TOO_LARGE']);
    expect(frames.find((f) => f.type === 'pong')).toEqual({ v: 1, type: 'pong', id: 9 });
    // A POST body over maxPostBytes: 413, and the session ends (its client reconnects and resends).
    const huge = await fetch(`${url}/send?cid=${cid}`, { method: 'POST', body: 'a'.repeat(4 * MAX_FRAME + 10) });
    expect(huge.status).toBe(413);
    expect((await fetch(`${url}/poll?cid=${cid}&since=0`)).status).toBe(404);
  });
});
