import fc from 'fast-check';
import { createHlc, lwwMap, lwwRegister, mvMap, mvRegister, orSet, pnCounter, type Hlc, type Json } from '../../lib/crdt/index.js';
import { DOC_TYPES, docKinds, type DocStates, type BuiltInDocType } from '../../lib/crdt/docTypes.js';

/** The wall clock every generated writer and reader shares, in ms. */
export const NOW = 1_700_000_000_000;

/** One random edit: which writer makes it, what it writes, and whether it first syncs with another writer. */
export interface EditCommand {
  readonly writer: number;
  readonly key: number;
  readonly amount: number;
  readonly remove: boolean;
  readonly syncFrom: number | undefined;
}

/** Random edit scripts (three writers, a handful of keys, so edits collide). */
export const editScript = (max = 24): fc.Arbitrary<EditCommand[]> =>
  fc.array(
    fc.record({
      writer: fc.integer({ min: 0, max: 2 }),
      key: fc.integer({ min: 0, max: 3 }),
      amount: fc.integer({ min: -5, max: 5 }),
      remove: fc.boolean(),
      syncFrom: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: max },
  );

/** Any document type. */
export const docType: fc.Arbitrary<BuiltInDocType> = fc.constantFrom(
  ...DOC_TYPES.filter((type): type is BuiltInDocType => type in docKinds),
);

/** Applies one edit of `type` to `state` for writer `node` (stamps from `clock`). */
export function edit<T extends BuiltInDocType>(
  type: T,
  state: DocStates[T],
  clock: Hlc,
  key: string,
  value: Json,
  remove: boolean,
  amount = 1,
): DocStates[T] {
  const s = state as DocStates[BuiltInDocType];
  switch (type) {
    case 'lww-map': {
      const map = s as lwwMap.LwwMap<Json>;
      return (remove ? lwwMap.remove(map, key, clock.tick()) : lwwMap.set(map, key, value, clock.tick())) as DocStates[T];
    }
    case 'lww-register':
      return lwwRegister.set(s as lwwRegister.LwwRegister<Json>, value, clock.tick()) as DocStates[T];
    case 'mv-register':
      return mvRegister.set(s as mvRegister.MvRegister<Json>, value, clock.tick()) as DocStates[T];
    case 'mv-map': {
      const map = s as mvMap.MvMap<Json>;
      const delta = remove ? mvMap.remove(map, key, clock.tick()) : mvMap.set(map, key, value, clock.tick());
      return mvMap.merge(map, delta) as DocStates[T];
    }
    case 'pn-counter':
      return pnCounter.add(s as pnCounter.PnCounter, clock.nodeId, amount === 0 ? 1 : amount) as DocStates[T];
    default: {
      const set = s as orSet.OrSet;
      return (remove ? orSet.remove(set, key, clock.tick()) : orSet.add(set, key, clock.tick())) as DocStates[T];
    }
  }
}

/**
 * Runs a script on three writers and returns what each edit sends: the writer's encoded state after
 * it (as JSON parsed off the wire), in the order the edits were made.
 */
export function payloadsOf(type: BuiltInDocType, script: readonly EditCommand[]): Json[] {
  const kind = docKinds[type] as unknown as { create(): unknown; merge(a: unknown, b: unknown): unknown; encode(s: unknown): Json };
  const clocks = [0, 1, 2].map((i) => createHlc({ nodeId: `writer${i}`, now: () => NOW }));
  const states: unknown[] = [0, 1, 2].map(() => kind.create());
  const payloads: Json[] = [];
  for (const { writer, key, amount, remove, syncFrom } of script) {
    if (syncFrom !== undefined && syncFrom !== writer) states[writer] = kind.merge(states[writer], states[syncFrom]);
    states[writer] = edit(type, states[writer] as never, clocks[writer] as Hlc, `k${key}`, `v${writer}.${amount}`, remove, amount);
    payloads.push(JSON.parse(JSON.stringify(kind.encode(states[writer]))) as Json);
  }
  return payloads;
}

/** A payload written `ahead` ms in the future by a writer of its own, on top of `base` (encoded). */
export function writtenAhead(type: BuiltInDocType, ahead: number, value: Json, amount = 1): Json {
  const kind = docKinds[type] as unknown as { create(): unknown; encode(s: unknown): Json };
  const clock = createHlc({ nodeId: 'ahead', now: () => NOW + ahead });
  const state = edit(type, kind.create() as never, clock, `ahead-${String(value)}`, value, false, amount);
  return JSON.parse(JSON.stringify(kind.encode(state))) as Json;
}

/** `items` shuffled with some repeated, by fast-check's random source. */
export const shuffledWithRepeats = <T>(items: readonly T[]): fc.Arbitrary<T[]> =>
  fc
    .tuple(
      fc.array(fc.integer({ min: 0, max: Math.max(0, items.length - 1) }), { maxLength: items.length }),
      fc.array(fc.nat(), { minLength: items.length * 2, maxLength: items.length * 2 }),
    )
    .map(([repeats, keys]) => {
      const all = [...items, ...repeats.map((i) => items[i] as T)];
      return all
        .map((item, i) => ({ item, key: keys[i % keys.length] ?? 0 }))
        .sort((a, b) => a.key - b.key)
        .map(({ item }) => item);
    });
