import fc from 'fast-check';
import { codeOf } from '../../support/errorCode';
import { dataFrame, helloFrame, pingFrame, pongFrame, byeFrame, errorFrame, type Frame } from '../../../lib/protocol/frames';
import { jsonCodec, parseSafeJson } from '../../../lib/protocol/jsonCodec';
import { parseFrame } from '../../../lib/protocol/parseFrame';
import { parseRpcMessage } from '../../../lib/protocol/rpcMessages';
import { fcParams } from '../../support/fc';

describe('protocol v1 frames', () => {
  it('round-trips every frame kind through the JSON codec', () => {
    const frames: Frame[] = [
      helloFrame(0),
      helloFrame(42),
      dataFrame({ a: [1, 'x'] }),
      dataFrame(null, 7),
      pingFrame(),
      pingFrame(3),
      pongFrame(3),
      byeFrame(),
      errorFrame('E_X', 'bad'),
    ];
    for (const frame of frames) expect(parseFrame(jsonCodec.decode(jsonCodec.encode(frame)))).toEqual(frame);
  });

  it('round-trips any JSON payload in a data frame', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.option(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), { nil: undefined }), (data, seq) => {
        const frame = dataFrame(data, seq);
        const back = parseFrame(jsonCodec.decode(jsonCodec.encode(frame)));
        expect(back).toEqual(JSON.parse(JSON.stringify(frame)));
      }),
      fcParams(200),
    );
  });

  it.each([
    ['not an object', 3],
    ['an array', [1]],
    ['another version', { v: 2, type: 'data', data: 1 }],
    ['no version', { type: 'data', data: 1 }],
    ['an unknown type', { v: 1, type: 'shout' }],
    ['data without data', { v: 1, type: 'data' }],
    ['seq 0', { v: 1, type: 'data', seq: 0, data: 1 }],
    ['fractional seq', { v: 1, type: 'data', seq: 1.5, data: 1 }],
    ['hello without lastSeq', { v: 1, type: 'hello' }],
    ['negative lastSeq', { v: 1, type: 'hello', lastSeq: -1 }],
    ['ping with a string id', { v: 1, type: 'ping', id: 'x' }],
    ['error without code', { v: 1, type: 'error', message: 'm' }],
  ])('rejects %s with E_FRAME_INVALID', (_what, value) => {
    expect(codeOf(() => parseFrame(value))).toBe('E_FRAME_INVALID');
  });

  it('keeps only known fields', () => {
    expect(parseFrame({ v: 1, type: 'hello', lastSeq: 3, extra: 'dropped' })).toEqual({ v: 1, type: 'hello', lastSeq: 3 });
  });

  it('never throws anything but E_FRAME_INVALID on arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const code = codeOf(() => parseFrame(parseSafeJson(text)));
        expect(code === undefined || code === 'E_FRAME_INVALID').toBe(true);
      }),
      fcParams(300),
    );
  });

  it.each(['__proto__', 'constructor', 'prototype'])('keeps the key %s as plain data at any depth, also when escaped', (key) => {
    const escaped = key.replace(/_/g, '\\u005f').replace(/o/g, '\\u006f');
    for (const text of [`{"${key}":{"x":1}}`, `{"a":[{"b":{"${key}":{"x":1}}}]}`, `{"${escaped}":{"x":1}}`]) {
      const parsed = parseSafeJson(text) as Record<string, unknown>;
      const holder = text.startsWith('{"a"')
        ? ((parsed['a'] as Array<Record<string, unknown>>)[0]!['b'] as Record<string, unknown>)
        : parsed;
      expect(Object.hasOwn(holder, key)).toBe(true);
      expect(holder[key]).toEqual({ x: 1 });
      expect(Object.getPrototypeOf(holder)).toBe(Object.prototype); // not replaced
      expect(JSON.parse(JSON.stringify(parsed))).toEqual(parsed); // round-trips
    }
    const frame = parseFrame(parseSafeJson(`{"v":1,"type":"data","seq":3,"data":{"${key}":{"x":1}}}`));
    expect(Object.hasOwn((frame as { data: object }).data, key)).toBe(true);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });
});

describe('RPC messages', () => {
  it('recognises, validates and strips RPC messages; ignores other payloads', () => {
    expect(parseRpcMessage({ v: 1, type: 'rpc-call', id: '1', method: 'm', params: [1], junk: 1 })).toEqual({
      v: 1,
      type: 'rpc-call',
      id: '1',
      method: 'm',
      params: [1],
    });
    expect(parseRpcMessage({ v: 1, type: 'rpc-result', id: 'a', value: null })).toEqual({ v: 1, type: 'rpc-result', id: 'a', value: null });
    expect(parseRpcMessage({ type: 'chat', text: 'hi' })).toBeUndefined();
    expect(parseRpcMessage('rpc-call')).toBeUndefined();
    expect(codeOf(() => parseRpcMessage({ v: 1, type: 'rpc-call', id: '', method: 'm' }))).toBe('E_RPC_INVALID');
    expect(codeOf(() => parseRpcMessage({ v: 1, type: 'rpc-call', id: '1' }))).toBe('E_RPC_INVALID');
    expect(codeOf(() => parseRpcMessage({ v: 1, type: 'rpc-error', id: '1', code: 5 }))).toBe('E_RPC_INVALID');
    expect(codeOf(() => parseRpcMessage({ v: 2, type: 'rpc-cancel', id: '1' }))).toBe('E_RPC_INVALID');
  });
});
