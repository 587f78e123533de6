import fc from 'fast-check';
import { isRxSyncError } from '../../../lib/errors.js';
import { createHlc, lwwMap, lwwRegister, mvRegister, orSet, pnCounter, type Json } from '../../../lib/crdt/index.js';
import { fcParams } from '../../support/fc.js';
import { ANY_SPECS } from './replicas.js';

// Decoders validate every field before building anything and name the offending path.
function decodeError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isRxSyncError(error, 'E_CRDT_INVALID')) return error.message;
    throw error;
  }
  throw new Error('expected E_CRDT_INVALID, but decoding succeeded');
}

const clock = createHlc({ nodeId: 'n1', now: () => 1_700_000_000_000 });
const map = lwwMap.remove(
  lwwMap.setMany(
    lwwMap.create<Json>(),
    [
      ['title', 'Plan'],
      ['tags', ['a', 'b']],
      ['gone', 1],
    ],
    () => clock.tick(),
  ),
  'gone',
  clock.tick(),
);
const good = JSON.parse(JSON.stringify(lwwMap.encode(map))) as Record<string, unknown>;

describe('lwwMap.decode', () => {
  it('accepts a good payload', () => {
    expect(lwwMap.value(lwwMap.decode(good))).toEqual(Object.assign(Object.create(null), { title: 'Plan', tags: ['a', 'b'] }));
  });

  it.each([
    [{ ...good, type: 'lww-register' }, /lww-map: type must be "lww-map"/],
    [{ ...good, v: 2 }, /lww-map: v must be 1/],
    [{ ...good, seen: 'x' }, /lww-map: seen must be an array/],
    [{ ...good, seen: [['n1', 'nope']] }, /lww-map: seen\[0\]\[1\] must be a stamp/],
    [{ ...good, nodes: ['bad node'] }, /lww-map: nodes\[0\] must be a node id/],
    [{ ...good, runs: [0, 0, 0] }, /lww-map: runs must hold groups of 5/],
    [{ ...good, runs: [7, 0, 0, 4, 1] }, /lww-map: runs\[0\] must index nodes/],
    [{ ...good, runs: [0, 1.5, 0, 4, 1] }, /lww-map: runs\[1\] must be an integer/],
    [{ ...good, runs: [0, 1e15, 0, 4, 1] }, /lww-map: runs\[1\] takes logical time out of range/],
    [{ ...good, keys: ['title', 7, 'gone'] }, /lww-map: keys\[1\] must be a string/],
    [{ ...good, keys: ['title', 'tags', 'gone', 'x'] }, /lww-map: runs must cover all 4 keys/],
    [{ ...good, runs: [0, 0, 0, 9, 1] }, /lww-map: runs\[3\] adds up to more than the 3 keys/],
    [{ ...good, keys: ['title', 'title', 'gone'] }, /lww-map: keys\[1\] repeats key "title"/],
    [{ ...good, values: ['Plan', { deep: [1, { bad: Infinity }] }, 0] }, /lww-map: values\[1\]\.deep\[1\]\.bad must be a finite number/],
    [{ ...good, values: ['Plan'] }, /lww-map: values must have 3 entries/],
    [{ ...good, deleted: [9] }, /lww-map: deleted\[0\] must be an index below 3/],
    [{ ...good, seen: [] }, /lww-map: runs\[0\] has stamps newer than seen/],
    [{ ...good, floor: 12 }, /lww-map: floor must be a stamp or null/],
    [null, /lww-map: \(root\) must be an object/],
  ])('rejects %# naming the field', (payload, message) => {
    expect(decodeError(() => lwwMap.decode(payload))).toMatch(message);
  });

  it('names nested paths with odd keys, e.g. values[0]["a b"]', () => {
    const payload = { ...good, values: [{ 'a b': [null, () => 1] }, ['a', 'b'], 0] };
    expect(decodeError(() => lwwMap.decode(payload))).toMatch(/values\[0\]\["a b"\]\[1\] must be JSON data, got function/);
  });

  it('checks an in-memory state handed over by other code', () => {
    expect(lwwMap.check(map)).toBe(map);
    const forged = { ...map, entries: new Map([['x', { value: 1, stamp: 'bad', deleted: false }]]) };
    expect(decodeError(() => lwwMap.check(forged))).toMatch(/entries\.x\.stamp must be a stamp/);
  });
});

describe('other decoders name the field', () => {
  it.each([
    [() => lwwRegister.decode({ type: 'lww-register', v: 1, stamp: 'x', value: 1 }), /lww-register: stamp must be a stamp or null/],
    [() => lwwRegister.decode({ type: 'lww-register', v: 1, stamp: clock.tick() }), /lww-register: value is missing/],
    [
      () => mvRegister.decode({ type: 'mv-register', v: 1, seen: [], siblings: [[clock.tick(), 1]] }),
      /mv-register: siblings\[0\]\[0\] is newer than seen/,
    ],
    [
      () => mvRegister.decode({ type: 'mv-register', v: 1, seen: [], siblings: [1] }),
      /mv-register: siblings\[0\] must be a \[stamp, value\] pair/,
    ],
    [
      () => pnCounter.decode({ type: 'pn-counter', v: 1, inc: [['a', -1]], dec: [] }),
      /pn-counter: inc\[0\]\[1\] must be a positive safe integer/,
    ],
    [
      () =>
        pnCounter.decode({
          type: 'pn-counter',
          v: 1,
          inc: [],
          dec: [
            ['a', 1],
            ['a', 2],
          ],
        }),
      /pn-counter: dec\[1\]\[0\] repeats node "a"/,
    ],
    [
      () => orSet.decode({ type: 'or-set', v: 1, seen: [], floor: null, elements: [['x', [['bad', null]]]] }),
      /or-set: elements\[0\]\[1\]\[0\]\[0\] must be a stamp covered by seen/,
    ],
    [
      () => orSet.decode({ type: 'or-set', v: 1, seen: [], floor: null, elements: [[3, []]] }),
      /or-set: elements\[0\]\[0\] must be a string/,
    ],
  ])('case %#', (fn, message) => {
    expect(decodeError(fn)).toMatch(message);
  });
});

describe.each(ANY_SPECS.map((spec) => [spec.name, spec] as const))('%s.decode on arbitrary input', (_name, spec) => {
  it('either decodes or throws E_CRDT_INVALID — never a TypeError, never a partial state', () => {
    const encoded = spec.encode(spec.create()) as Record<string, unknown>;
    // Arbitrary values, and valid envelopes with arbitrary fields.
    const arbitraryPayload = fc.oneof(
      fc.anything(),
      fc.jsonValue(),
      fc.dictionary(fc.constantFrom(...Object.keys(encoded)), fc.jsonValue()).map((fields) => ({ ...encoded, ...fields })),
    );
    fc.assert(
      fc.property(arbitraryPayload, (payload) => {
        try {
          const decoded = spec.decode(payload);
          // Whatever decodes must re-encode to something that decodes to the same state.
          expect(spec.canon(spec.decode(JSON.parse(JSON.stringify(spec.encode(decoded)))))).toBe(spec.canon(decoded));
        } catch (error) {
          expect(isRxSyncError(error, 'E_CRDT_INVALID')).toBe(true);
        }
      }),
      fcParams(500),
    );
  });
});
