import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isRxSyncError } from '../../../lib/errors.js';
import { createHlc, mvMap, stampNode, type Hlc, type Json, type Stamp } from '../../../lib/crdt/index.js';
import { fcParams } from '../../support/fc.js';
import { KEYS, fakeClocks, mvMapSpec, opArb, threeStates } from './replicas.js';

// The per-field multi-value map: what a write supersedes, convergence of its one-field deltas over a
// bad network, and its decoder on hostile input. (Merge algebra and the 5-replica simulation run
// for it in algebra.spec.ts / convergence.spec.ts with every other CRDT.)
const RUNS = 300;
/** How often the generators reach the cases that matter, so the properties are not vacuous. */
const reached = { concurrentSurvivor: 0, supersededSibling: 0, conflictAtEnd: 0, lostThenRedelivered: 0 };
type State = mvMap.MvMap<Json>;
const canon = (s: State): string => JSON.stringify(mvMap.encode(s));
const stampsOf = (s: State, field: string): Stamp[] => mvMap.siblings(s, field).map((x) => x.stamp);

function decodeError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isRxSyncError(error, 'E_CRDT_INVALID')) return error.message;
    throw error;
  }
  throw new Error('expected E_CRDT_INVALID, but decoding succeeded');
}

describe('mvMap writes', () => {
  it('a write supersedes exactly the siblings of its field that its writer had seen', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), fc.constantFrom(...KEYS), fc.jsonValue(), (ops, field, written) => {
        const [a, b] = threeStates(mvMapSpec, ops);
        const clock = createHlc({ nodeId: 'writer', now: () => 1_700_000_100_000 });
        const delta = mvMap.set(a, field, written as Json, clock.tick());
        expect([...delta.fields.keys()]).toEqual([field]);
        const merged = mvMap.merge(b, delta);
        // Survivors in b: the siblings a had not seen (concurrent with the write), then the write.
        const seenByA = a.fields.get(field)?.seen ?? new Map<string, Stamp>();
        const unseen = stampsOf(b, field).filter((stamp) => !((seenByA.get(stampNode(stamp)) ?? '') >= stamp));
        expect(stampsOf(merged, field)).toEqual([...unseen, ...stampsOf(delta, field)].sort());
        if (unseen.length > 0) reached.concurrentSurvivor++;
        if (unseen.length < stampsOf(b, field).length) reached.supersededSibling++;
        // Every other field is untouched (the very same objects).
        for (const [name, other] of b.fields) if (name !== field) expect(merged.fields.get(name)).toBe(other);
        // And the writer's own replica has no conflict left on that field.
        expect(mvMap.conflicts(mvMap.merge(a, delta))[field]).toBeUndefined();
      }),
      fcParams(RUNS),
    );
    expect(reached.concurrentSurvivor).toBeGreaterThan(0);
    expect(reached.supersededSibling).toBeGreaterThan(0);
  });

  it('concurrent writes to one field both survive as a conflict; a write that saw both resolves only that field', () => {
    const [ca, cb, cc] = fakeClocks(3).clocks as [Hlc, Hlc, Hlc];
    const base = mvMap.merge(mvMap.create<Json>(), mvMap.set(mvMap.create<Json>(), 'name', 'Ann', ca.tick()));
    const fromA = mvMap.set(base, 'email', 'a@x.org', ca.tick());
    const fromB = mvMap.set(base, 'email', 'b@x.org', cb.tick());
    const alsoB = mvMap.set(base, 'city', 'Oslo', cb.tick());
    const otherConflictA = mvMap.set(base, 'zip', '1', ca.tick());
    const otherConflictB = mvMap.set(base, 'zip', '2', cb.tick());
    const all = [fromA, fromB, alsoB, otherConflictA, otherConflictB].reduce(mvMap.merge, base);
    expect(Object.keys(mvMap.conflicts(all)).sort()).toEqual(['email', 'zip']);
    expect(mvMap.conflicts(all)['email']?.map((s) => s.value)).toEqual(['a@x.org', 'b@x.org']);
    expect(mvMap.value(all, (siblings) => siblings.map((s) => s.value).join(' | '))['email']).toBe('a@x.org | b@x.org');
    expect(mvMap.value(all)['email']).toBe('b@x.org'); // the newest stamp, when no resolver is given
    const resolved = mvMap.merge(all, mvMap.set(all, 'email', 'ann@x.org', cc.tick()));
    expect(Object.keys(mvMap.conflicts(resolved))).toEqual(['zip']);
    expect({ ...mvMap.value(resolved) }).toEqual({ name: 'Ann', email: 'ann@x.org', city: 'Oslo', zip: '2' });
  });

  it('a remove drops the values at once, keeps only a version vector, and wins over a late copy it saw', () => {
    const [ca, cb] = fakeClocks(2).clocks as [Hlc, Hlc];
    const written = mvMap.set(mvMap.create<Json>(), 'draft', { long: 'text'.repeat(100) }, ca.tick());
    let state = mvMap.merge(mvMap.create<Json>(), written);
    const removal = mvMap.remove(state, 'draft', ca.tick());
    state = mvMap.merge(state, removal);
    expect(state.fields.get('draft')?.siblings).toEqual([]);
    expect(JSON.stringify(mvMap.encode(state))).not.toContain('text');
    expect(mvMap.merge(state, written)).toBe(state); // the late copy is recognised and ignored
    expect('draft' in mvMap.value(state)).toBe(false);
    // A concurrent write the removal did not see survives it.
    const concurrent = mvMap.set(mvMap.create<Json>(), 'draft', 'kept', cb.tick());
    expect(mvMap.value(mvMap.merge(state, concurrent))['draft']).toBe('kept');
    // Removing what holds no value is a no-op delta.
    expect(mvMap.remove(state, 'draft', ca.tick()).fields.size).toBe(0);
    expect(mvMap.remove(state, 'never', ca.tick()).fields.size).toBe(0);
  });

  it('setMany writes several fields in one delta, a field named twice keeping its last value', () => {
    const clock = createHlc({ nodeId: 'n1', now: () => 1_700_000_000_000 });
    const delta = mvMap.setMany(
      mvMap.create<Json>(),
      [
        ['a', 1],
        ['b', 2],
        ['a', 3],
      ],
      clock.tick(),
    );
    expect([...delta.fields.keys()]).toEqual(['a', 'b']);
    expect({ ...mvMap.value(delta) }).toEqual({ a: 3, b: 2 });
    const ticked = mvMap.setMany(
      mvMap.merge(mvMap.create<Json>(), delta),
      [
        ['a', 4],
        ['c', 5],
      ],
      () => clock.tick(),
    );
    expect(stampsOf(ticked, 'a')[0]! < stampsOf(ticked, 'c')[0]!).toBe(true);
  });

  it('refuses a stamp its field has already seen from that node (E_CRDT_STALE_STAMP)', () => {
    const clock = createHlc({ nodeId: 'n1', now: () => 1_700_000_000_000 });
    const first = clock.tick();
    const state = mvMap.merge(mvMap.create<Json>(), mvMap.set(mvMap.create<Json>(), 'a', 1, first));
    expect(() => mvMap.set(state, 'a', 2, first)).toThrow(expect.objectContaining({ code: 'E_CRDT_STALE_STAMP' }));
    // Another field has its own history: the same stamp is fine there.
    expect(mvMap.value(mvMap.merge(state, mvMap.set(state, 'b', 2, first)))['b']).toBe(2);
  });
});

// Three replicas send each other the one-field deltas of their writes, as live documents do. The
// network reorders, duplicates and loses them; every lost delta is redelivered before the end.
const stepArb = fc.record({
  act: fc.nat(9),
  replica: fc.nat(2),
  key: fc.nat(KEYS.length - 1),
  value: fc.integer({ min: -100, max: 100 }),
  pick: fc.nat(1000),
  clockMove: fc.integer({ min: -2_000, max: 2_000 }),
});

describe('mvMap deltas over a bad network', () => {
  it('converge across 3 replicas under reordering, duplication and loss-then-redelivery', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 60 }), (steps) => {
        const time = fakeClocks(3);
        const states: State[] = [mvMap.create(), mvMap.create(), mvMap.create()];
        const inFlight: { to: number; text: string }[] = [];
        const lost: { to: number; text: string }[] = [];
        let truth: State = mvMap.create();
        const receive = (message: { to: number; text: string }): void => {
          const delta = mvMap.decode(JSON.parse(message.text));
          const newest = mvMapSpec.newest(delta);
          if (newest !== undefined) (time.clocks[message.to] as Hlc).receive(newest);
          states[message.to] = mvMap.merge(states[message.to] as State, delta);
        };
        for (const step of steps) {
          const r = step.replica;
          if (step.act < 4) {
            time.move(r, step.clockMove);
            const key = KEYS[step.key] as string;
            const clock = time.clocks[r] as Hlc;
            const state = states[r] as State;
            const delta = step.act === 0 ? mvMap.remove(state, key, clock.tick()) : mvMap.set(state, key, step.value, clock.tick());
            states[r] = mvMap.merge(state, delta);
            truth = mvMap.merge(truth, delta);
            const text = JSON.stringify(mvMap.encode(delta));
            for (let to = 0; to < 3; to++) if (to !== r) inFlight.push({ to, text });
          } else if (inFlight.length > 0) {
            const index = step.pick % inFlight.length;
            const message = inFlight[index] as { to: number; text: string };
            if (step.act < 7) receive(inFlight.splice(index, 1)[0] as { to: number; text: string });
            else if (step.act < 8) inFlight.push(message);
            else lost.push(...inFlight.splice(index, 1));
          }
        }
        // Redeliver the lost deltas (an outbox retry), late and in reverse order, then the rest.
        for (const message of [...lost.reverse(), ...inFlight]) receive(message);
        for (const state of states) expect(canon(state)).toBe(canon(truth));
        if (lost.length > 0) reached.lostThenRedelivered++;
        if (Object.keys(mvMap.conflicts(truth)).length > 0) reached.conflictAtEnd++;
      }),
      fcParams(RUNS),
    );
    expect(reached.lostThenRedelivered).toBeGreaterThan(0);
    expect(reached.conflictAtEnd).toBeGreaterThan(0);
  });
});

describe('mvMap codec', () => {
  it('decode(encode(x)) equals x, through JSON text', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), (ops) => {
        for (const state of threeStates(mvMapSpec, ops)) {
          const decoded = mvMap.decode(JSON.parse(JSON.stringify(mvMap.encode(state))));
          expect(decoded).toEqual(state);
          expect(canon(decoded)).toBe(canon(state));
        }
      }),
      fcParams(RUNS),
    );
  });

  const clock = createHlc({ nodeId: 'n1', now: () => 1_700_000_000_000 });
  const other = createHlc({ nodeId: 'n2', now: () => 1_700_000_000_000 });
  let sample = mvMap.create<Json>();
  for (const delta of [
    mvMap.set(sample, 'title', 'Plan', clock.tick()),
    mvMap.set(sample, 'title', 'Plan B', other.tick()),
    mvMap.set(sample, 'gone', 1, clock.tick()),
  ])
    sample = mvMap.merge(sample, delta);
  sample = mvMap.merge(sample, mvMap.remove(sample, 'gone', clock.tick()));
  const good = JSON.parse(JSON.stringify(mvMap.encode(sample))) as { fields: unknown[][] };
  const [gone, title] = good.fields as [unknown[], unknown[]];
  const writes = title[1] as [string, Json][];
  const [n1Title] = writes[0]!;
  const n1Later = (gone[1] as [string][])[0]![0];
  const withTitle = (replacement: unknown): unknown => ({ ...good, fields: [gone, ['title', replacement]] });

  it('decodes the example in PROTOCOL.md as documented', () => {
    const protocol = readFileSync(join(__dirname, '..', '..', '..', 'PROTOCOL.md'), 'utf8');
    const example = /\*\*`mv-map`\*\*[^\n]*\n\n```json\n([\s\S]*?)\n```/.exec(protocol)?.[1];
    const state = mvMap.decode(JSON.parse(example ?? 'null'));
    expect(Object.keys(mvMap.conflicts(state))).toEqual(['email']);
    expect({ ...mvMap.value(state) }).toEqual({ email: 'ann@work.example', name: 'Ann' });
    expect(state.fields.get('gone')?.siblings).toEqual([]);
  });

  it('accepts a good payload', () => {
    expect(Object.keys(mvMap.conflicts(mvMap.decode(good)))).toEqual(['title']);
  });

  it.each([
    [{ ...good, type: 'mv-register' }, /mv-map: type must be "mv-map"/],
    [{ ...good, v: 2 }, /mv-map: v must be 1/],
    [{ ...good, fields: {} }, /mv-map: fields must be an array/],
    [{ ...good, fields: [title, gone] }, /mv-map: fields\[1\]\[0\] "gone" must sort after the previous field/],
    [{ ...good, fields: [gone, gone] }, /mv-map: fields\[1\]\[0\] "gone" must sort after/],
    [{ ...good, fields: [[1, []]] }, /mv-map: fields\[0\]\[0\] must be a string/],
    [{ ...good, fields: [['a b', [], []]] }, /mv-map: fields\[0\] must be a \[name, writes\] pair/],
    [withTitle([]), /mv-map: fields\.title must hold at least one write/],
    [withTitle('x'), /mv-map: fields\.title must be an array/],
    [withTitle([[1, 2]]), /mv-map: fields\.title\[0\]\[0\] must be a stamp/],
    [withTitle([...writes].reverse()), /mv-map: fields\.title\[1\]\[0\] must be greater than the previous stamp/],
    [withTitle([writes[0], [n1Later, 'x']]), /mv-map: fields\.title\[1\]\[0\] repeats node "n1"/],
    [withTitle([[n1Title, 1, 2]]), /mv-map: fields\.title\[0\] must be \[stamp\] or \[stamp, value\]/],
    [withTitle([[n1Title, { deep: [1, { bad: Infinity }] }]]), /mv-map: fields\.title\[0\]\[1\]\.deep\[1\]\.bad must be a finite number/],
    [{ ...good, fields: [['a b', [1]]] }, /mv-map: fields\["a b"\]\[0\] must be \[stamp\] or \[stamp, value\]/],
    [null, /mv-map: \(root\) must be an object/],
  ])('rejects %# naming the field', (payload, message) => {
    expect(decodeError(() => mvMap.decode(payload))).toMatch(message);
  });

  /** Every path into a JSON value, so a mutation can hit any depth. */
  function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
    const out = [prefix];
    if (Array.isArray(value)) value.forEach((item, i) => out.push(...paths(item, [...prefix, i])));
    else if (typeof value === 'object' && value !== null)
      for (const key of Object.keys(value)) out.push(...paths((value as Record<string, unknown>)[key], [...prefix, key]));
    return out;
  }
  function replaceAt(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
    if (path.length === 0) return replacement;
    const [head, ...rest] = path as [string | number, ...(string | number)[]];
    const copy = (Array.isArray(value) ? [...(value as unknown[])] : { ...(value as object) }) as Record<string | number, unknown>;
    copy[head] = replaceAt(copy[head], rest, replacement);
    return copy;
  }

  it('on hostile input either decodes or throws E_CRDT_INVALID — never anything else, never pollution', () => {
    const states = fc.array(opArb, { maxLength: 20 }).map((ops) => mvMap.encode(threeStates(mvMapSpec, ops)[0]) as unknown);
    const hostile = fc.oneof(
      fc.anything(),
      fc.jsonValue(),
      // A valid encoding with one node anywhere inside replaced by arbitrary JSON.
      fc.tuple(states, fc.nat(), fc.oneof(fc.jsonValue(), fc.anything())).map(([encoded, at, replacement]) => {
        const all = paths(encoded);
        return replaceAt(encoded, all[at % all.length] as (string | number)[], replacement);
      }),
      // The same, arriving as text with reserved keys (JSON.parse makes `__proto__` an own property).
      states.map((encoded) => JSON.parse(JSON.stringify(encoded).replace('{', '{"__proto__":{"polluted":1},')) as unknown),
    );
    fc.assert(
      fc.property(hostile, (payload) => {
        try {
          const decoded = mvMap.decode(payload);
          expect(canon(mvMap.decode(JSON.parse(canon(decoded))))).toBe(canon(decoded));
        } catch (error) {
          expect(isRxSyncError(error, 'E_CRDT_INVALID')).toBe(true);
        }
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }),
      fcParams(RUNS * 3),
    );
  });

  it('keeps __proto__, constructor and prototype as ordinary fields, values and node ids', () => {
    for (const word of ['__proto__', 'constructor', 'prototype']) {
      const a = createHlc({ nodeId: word, now: () => 1_700_000_000_000 });
      const b = createHlc({ nodeId: `${word}2`, now: () => 1_700_000_000_000 });
      const poison = JSON.parse(`{"${word}":{"polluted":"yes","toString":"x"}}`) as Json;
      const text = JSON.stringify(
        mvMap.encode(
          mvMap.merge(mvMap.set(mvMap.create<Json>(), word, poison, a.tick()), mvMap.set(mvMap.create<Json>(), word, 1, b.tick())),
        ),
      );
      const state = mvMap.merge(mvMap.create<Json>(), mvMap.decode(JSON.parse(text)));
      const view = mvMap.value(state);
      const conflicts = mvMap.conflicts(state);
      expect(Object.getPrototypeOf(view)).toBeNull();
      expect(Object.getPrototypeOf(conflicts)).toBeNull();
      expect(Object.hasOwn(view, word)).toBe(true);
      expect(conflicts[word]?.map((s) => JSON.stringify(s.value))).toEqual([JSON.stringify(poison), '1']);
      expect(mvMap.version(state).get(word)).toBe(a.peek());
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      expect(Object.getPrototypeOf({})).toBe(Object.prototype);
      expect(typeof ({} as { constructor: unknown }).constructor).toBe('function');
    }
  });
});
