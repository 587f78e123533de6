import fc from 'fast-check';
import { codeOf } from '../../support/errorCode';
import { helloFrame } from '../../../lib/protocol/frames';
import { parseClientMessage, parseHubMessage } from '../../../lib/protocol/hubMessages';
import { jsonCodec } from '../../../lib/protocol/jsonCodec';
import { parseFrame } from '../../../lib/protocol/parseFrame';
import { fcParams } from '../../support/fc';

const op = { id: 'op-1', doc: 'card', type: 'lww-map', body: { type: 'lww-map', v: 1 } };

describe('hello with room and token', () => {
  it('round-trips room and token, and leaves them out when absent', () => {
    const frame = helloFrame(3, { room: 'board:1', token: 'abc.def' });
    expect(parseFrame(jsonCodec.decode(jsonCodec.encode(frame)))).toEqual({
      v: 1,
      type: 'hello',
      lastSeq: 3,
      room: 'board:1',
      token: 'abc.def',
    });
    expect(Object.keys(helloFrame(0))).toEqual(['v', 'type', 'lastSeq']);
  });

  it.each([
    ['an empty room', { room: '' }],
    ['a room with a slash', { room: 'a/b' }],
    ['a room with a line break', { room: 'a\nb' }],
    ['a numeric room', { room: 7 }],
    ['a token that is not a string', { token: 5 }],
    ['a huge token', { token: 'x'.repeat(5000) }],
  ])('refuses %s', (_name, extra) => {
    expect(codeOf(() => parseFrame({ v: 1, type: 'hello', lastSeq: 0, ...extra }))).toBe('E_FRAME_INVALID');
  });
});

describe('client → hub messages', () => {
  it('accepts ops and presence, keeping only known fields', () => {
    expect(parseClientMessage({ kind: 'ops', ops: [{ ...op, extra: 1 }], junk: true })).toEqual({ kind: 'ops', ops: [op] });
    expect(parseClientMessage({ kind: 'presence', state: { cursor: [1, 2] } })).toEqual({ kind: 'presence', state: { cursor: [1, 2] } });
    expect(parseClientMessage({ kind: 'presence', state: null })).toEqual({ kind: 'presence', state: null });
    expect(parseClientMessage({ kind: 'token', token: 'abc.def.ghi', junk: 1 })).toEqual({ kind: 'token', token: 'abc.def.ghi' });
  });

  it.each([
    ['not an object', 'ops'],
    ['an unknown kind', { kind: 'drop-table' }],
    ['no ops', { kind: 'ops', ops: [] }],
    ['ops not an array', { kind: 'ops', ops: {} }],
    ['an op without id', { kind: 'ops', ops: [{ ...op, id: undefined }] }],
    ['an op id with spaces', { kind: 'ops', ops: [{ ...op, id: 'a b' }] }],
    ['an unknown doc type', { kind: 'ops', ops: [{ ...op, type: 'rope' }] }],
    ['a doc named __proto__/x', { kind: 'ops', ops: [{ ...op, doc: '__proto__/x' }] }],
    ['an op without body', { kind: 'ops', ops: [{ id: 'a', doc: 'd', type: 'lww-map' }] }],
    ['a body that is not JSON', { kind: 'ops', ops: [{ ...op, body: { n: Number.NaN } }] }],
    ['presence without state', { kind: 'presence' }],
    ['a token that is not a string', { kind: 'token', token: 5 }],
    ['an empty token', { kind: 'token', token: '' }],
    ['a token over 4096 characters', { kind: 'token', token: 'x'.repeat(4097) }],
  ])('refuses %s with E_MESSAGE_INVALID', (_name, message) => {
    expect(codeOf(() => parseClientMessage(message))).toBe('E_MESSAGE_INVALID');
  });

  it('enforces the ops-per-message limit', () => {
    const ops = Array.from({ length: 3 }, (_, i) => ({ ...op, id: `op-${i}` }));
    expect(codeOf(() => parseClientMessage({ kind: 'ops', ops }, { maxOpsPerMessage: 2 }))).toBe('E_MESSAGE_INVALID');
    expect(parseClientMessage({ kind: 'ops', ops }, { maxOpsPerMessage: 3 })).toEqual({ kind: 'ops', ops });
  });

  it('treats an inherited or reserved key as absent or as data, never as a prototype', () => {
    const hostile = JSON.parse('{"kind":"presence","state":{"__proto__":{"polluted":1}}}') as unknown;
    const parsed = parseClientMessage(hostile);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.keys((parsed as { state: object }).state)).toEqual(['__proto__']);
    const inherited = Object.create({ kind: 'presence', state: 1 }) as unknown;
    expect(codeOf(() => parseClientMessage(inherited))).toBe('E_MESSAGE_INVALID');
  });

  it('never throws anything but a coded error on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.record({ kind: fc.constantFrom('ops', 'presence'), ops: fc.jsonValue(), state: fc.anything() })),
        (value) => {
          const code = codeOf(() => parseClientMessage(value));
          expect(code === undefined || code === 'E_MESSAGE_INVALID').toBe(true);
        },
      ),
      fcParams(500),
    );
  });
});

describe('hub → client messages', () => {
  it('accepts every kind', () => {
    const messages = [
      { kind: 'welcome', room: 'r', peer: 'p1', head: 4, e2e: false },
      {
        kind: 'welcome',
        room: 'r',
        peer: 'p1',
        head: 4,
        e2e: true,
        limits: { messagesPerSecond: 100, burst: 200, opsPerMessage: 512, maxFrameBytes: 1048576 },
      },
      { kind: 'snapshot', seq: 9, docs: [{ doc: 'd', type: 'pn-counter', state: { type: 'pn-counter', v: 1, inc: [], dec: [] } }] },
      { kind: 'op', op },
      { kind: 'ack', ids: ['a', 'b'] },
      { kind: 'reject', ids: ['a'], code: 'E_OP_INVALID', message: 'bad body' },
      { kind: 'peers', peers: [{ peer: 'p2', state: { name: 'Ann' }, principal: 'ann' }] },
      { kind: 'peer', peer: 'p2', state: null },
      { kind: 'left', peer: 'p2' },
      { kind: 'refresh', expiresIn: 30000 },
    ];
    for (const message of messages) expect(parseHubMessage(message)).toEqual(message);
  });

  it.each([
    ['a welcome without peer', { kind: 'welcome', room: 'r', head: 0, e2e: false }],
    ['a negative head', { kind: 'welcome', room: 'r', peer: 'p', head: -1, e2e: false }],
    ['welcome limits that are not an object', { kind: 'welcome', room: 'r', peer: 'p', head: 0, e2e: false, limits: 5 }],
    [
      'a welcome limit of zero',
      {
        kind: 'welcome',
        room: 'r',
        peer: 'p',
        head: 0,
        e2e: false,
        limits: { messagesPerSecond: 0, burst: 200, opsPerMessage: 512, maxFrameBytes: 1 },
      },
    ],
    ['a welcome limit missing', { kind: 'welcome', room: 'r', peer: 'p', head: 0, e2e: false, limits: { burst: 1 } }],
    ['acks that are not ids', { kind: 'ack', ids: [1] }],
    ['a snapshot doc without type', { kind: 'snapshot', seq: 1, docs: [{ doc: 'd', state: {} }] }],
    ['a reject without code', { kind: 'reject', ids: [], message: 'x' }],
    ['a peer with a bad id', { kind: 'peer', peer: 'a b', state: null }],
    ['a refresh without expiresIn', { kind: 'refresh' }],
    ['a refresh with a negative expiresIn', { kind: 'refresh', expiresIn: -1 }],
  ])('refuses %s', (_name, message) => {
    expect(codeOf(() => parseHubMessage(message))).toBe('E_MESSAGE_INVALID');
  });
});
