import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createHlc, encodeStamp, lwwMap, type Json } from '../../lib/crdt/index.js';
import type { RxSyncError } from '../../lib/errors.js';
import { mergeLww } from '../../operators/mergeLww.js';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

const NOW = 1_700_000_000_000;
const sorted = (m: lwwMap.LwwMap<Json>): string => JSON.stringify(Object.entries(lwwMap.value(m)).sort((x, y) => (x[0] < y[0] ? -1 : 1)));
/** What goes over the wire: JSON text parsed on arrival. */
const wire = (m: lwwMap.LwwMap<Json>): unknown => JSON.parse(JSON.stringify(lwwMap.encode(m)));

// Two remote replicas editing the same document.
const alice = createHlc({ nodeId: 'alice', now: () => NOW });
const bob = createHlc({ nodeId: 'bob', now: () => NOW + 1 });
const a1 = lwwMap.setMany(
  lwwMap.create<Json>(),
  [
    ['title', 'Plan'],
    ['owner', 'alice'],
  ],
  () => alice.tick(),
);
const b1 = lwwMap.set(lwwMap.create<Json>(), 'title', 'Plan B', bob.tick());
const a2 = lwwMap.remove(a1, 'owner', alice.tick());

describe('mergeLww', () => {
  it('folds remote states and deltas field by field; duplicates and stale deltas emit nothing', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-a-d-s-|', {
        a: wire(a1),
        b: wire(b1),
        d: wire(lwwMap.delta(a2, a1.seen)),
        s: wire(lwwMap.delta(a1, a1.seen)),
      });
      const result = source.pipe(mergeLww(), map(sorted));
      expectObservable(result).toBe('-x-y---z---|', {
        x: '[["owner","alice"],["title","Plan"]]',
        y: '[["owner","alice"],["title","Plan B"]]',
        z: '[["title","Plan B"]]',
      });
      expectSubscriptions(source.subscriptions).toBe('^----------!');
    });
  });

  it('rejects a malformed payload whole, reports the field, and goes on from the untouched state', () => {
    const rejected: RxSyncError[] = [];
    const bad = { ...(wire(b1) as object), values: [{ nested: [1, '\u0000', { x: Number.NaN }] }] };
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-x-b-|', { a: wire(a1), x: bad, b: wire(b1) });
      const result = source.pipe(mergeLww({ onReject: (err) => rejected.push(err) }), map(sorted));
      expectObservable(result).toBe('-p---q-|', { p: '[["owner","alice"],["title","Plan"]]', q: '[["owner","alice"],["title","Plan B"]]' });
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
    expect(rejected.map((e) => [e.code, e.message])).toEqual([
      ['E_CRDT_INVALID', 'lww-map: values[0].nested[2].x must be a finite number, got NaN (JSON would turn it into null)'],
    ]);
  });

  it('errors the stream on a bad payload when no onReject is given', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-x-b-|', { a: wire(a1), x: { type: 'lww-map' }, b: wire(b1) });
      const result = source.pipe(mergeLww(), map(sorted));
      expectObservable(result).toBe(
        '-p-#',
        { p: '[["owner","alice"],["title","Plan"]]' },
        expect.objectContaining({ code: 'E_CRDT_INVALID' }),
      );
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('moves the clock past accepted payloads and refuses far-future ones (E_HLC_DRIFT)', () => {
    const local = createHlc({ nodeId: 'me', now: () => NOW });
    const future = lwwMap.set(
      lwwMap.create<Json>(),
      'title',
      'from the future',
      encodeStamp({ time: NOW + 10 * 60_000, counter: 0, node: 'eve' }),
    );
    const codes: string[] = [];
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('-b-f-|', { b: wire(b1), f: wire(future) });
      expectObservable(source.pipe(mergeLww({ clock: local, onReject: (err) => codes.push(err.code) }), map(sorted))).toBe('-y---|', {
        y: '[["title","Plan B"]]',
      });
    });
    expect(codes).toEqual(['E_HLC_DRIFT']);
    // After seeing bob's write, a local write outranks it.
    expect((local.peek() as string) > (b1.entries.get('title')?.stamp as string)).toBe(true);
  });

  it('applies validate to every field: one refused value rejects the whole payload', () => {
    const codes: string[] = [];
    const isText = (value: Json): value is string => typeof value === 'string';
    const mixed = lwwMap.setMany(
      lwwMap.create<Json>(),
      [
        ['title', 'ok'],
        ['count', 3],
      ],
      () => bob.tick(),
    );
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('-m-a-|', { m: wire(mixed), a: wire(a1) });
      expectObservable(source.pipe(mergeLww({ validate: isText, onReject: (err) => codes.push(err.message) }), map(sorted))).toBe(
        '---p-|',
        {
          p: '[["owner","alice"],["title","Plan"]]',
        },
      );
    });
    expect(codes).toEqual(['lww-map: entries.count was refused by validate']);
  });

  it('treats __proto__ and constructor in payloads as ordinary fields', () => {
    const text = JSON.stringify(
      wire(
        lwwMap.setMany(
          lwwMap.create<Json>(),
          [
            ['__proto__', { polluted: true }],
            ['constructor', 1],
          ],
          () => alice.tick(),
        ),
      ),
    );
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-|', { a: JSON.parse(text) });
      expectObservable(source.pipe(mergeLww(), map(sorted))).toBe('-x-|', { x: '[["__proto__",{"polluted":true}],["constructor",1]]' });
    });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('accepts in-memory maps from local code after checking them', () => {
    const rejected: string[] = [];
    const forged = { entries: new Map([['x', { value: 1, stamp: 'not a stamp', deleted: false }]]), seen: new Map(), floor: null };
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-f-|', { a: a1, f: forged });
      expectObservable(source.pipe(mergeLww({ onReject: (err) => rejected.push(err.message) }), map(sorted))).toBe('-p---|', {
        p: '[["owner","alice"],["title","Plan"]]',
      });
    });
    expect(rejected).toEqual(['lww-map: entries.x.stamp must be a stamp']);
  });
});
