import { codeOf } from '../../support/errorCode';
import { helloFrame } from '../../../lib/protocol/frames';
import { MAX_SNAPSHOT_DOCS, parseClientMessage, parseHubMessage } from '../../../lib/protocol/hubMessages';
import { parseFrame } from '../../../lib/protocol/parseFrame';

const entry = (doc: string, state: unknown = 'v1.k1.sealed'): unknown => ({ doc, type: 'yjs', state });

describe('sealed snapshot messages', () => {
  it('parses a client snapshot into its known fields only', () => {
    const parsed = parseClientMessage({ kind: 'snapshot', seq: 7, docs: [{ ...(entry('notes') as object), extra: 1 }], more: true });
    expect(parsed).toEqual({ kind: 'snapshot', seq: 7, docs: [{ doc: 'notes', type: 'yjs', state: 'v1.k1.sealed' }] });
  });

  it.each([
    ['seq 0', { kind: 'snapshot', seq: 0, docs: [entry('a')] }],
    ['negative seq', { kind: 'snapshot', seq: -1, docs: [entry('a')] }],
    ['fractional seq', { kind: 'snapshot', seq: 1.5, docs: [entry('a')] }],
    ['no docs', { kind: 'snapshot', seq: 1, docs: [] }],
    ['docs not an array', { kind: 'snapshot', seq: 1, docs: { a: 1 } }],
    ['too many docs', { kind: 'snapshot', seq: 1, docs: Array.from({ length: MAX_SNAPSHOT_DOCS + 1 }, (_, i) => entry(`d${i}`)) }],
    ['a plaintext state', { kind: 'snapshot', seq: 1, docs: [entry('a', { v: 1 })] }],
    ['an empty state', { kind: 'snapshot', seq: 1, docs: [entry('a', '')] }],
    ['a bad doc name', { kind: 'snapshot', seq: 1, docs: [entry('a/b')] }],
    ['a document twice', { kind: 'snapshot', seq: 1, docs: [entry('a'), entry('a')] }],
    ['an unknown type', { kind: 'snapshot', seq: 1, docs: [{ doc: 'a', type: 'blob', state: 's' }] }],
    ['__proto__ as an entry', { kind: 'snapshot', seq: 1, docs: [JSON.parse('{"__proto__": {"doc": "a"}}')] }],
  ])('refuses %s with E_MESSAGE_INVALID', (_, message) => {
    expect(codeOf(() => parseClientMessage(message))).toBe('E_MESSAGE_INVALID');
  });

  it('parses the hub notice `snapshotted` and refuses a bad seq', () => {
    expect(parseHubMessage({ kind: 'snapshotted', seq: 12 })).toEqual({ kind: 'snapshotted', seq: 12 });
    expect(codeOf(() => parseHubMessage({ kind: 'snapshotted', seq: '12' }))).toBe('E_MESSAGE_INVALID');
  });

  it('carries `snapshot: false` in the hello, and only false', () => {
    expect(helloFrame(0, { room: 'e2e:r', snapshot: false })).toEqual({ v: 1, type: 'hello', lastSeq: 0, room: 'e2e:r', snapshot: false });
    expect(helloFrame(0, { room: 'e2e:r' })).not.toHaveProperty('snapshot');
    expect(parseFrame({ v: 1, type: 'hello', lastSeq: 0, room: 'r', snapshot: false })).toMatchObject({ snapshot: false });
    expect(codeOf(() => parseFrame({ v: 1, type: 'hello', lastSeq: 0, room: 'r', snapshot: true }))).toBe('E_FRAME_INVALID');
  });
});
