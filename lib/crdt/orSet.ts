import { arrayField, assertEnvelope, field, invalid, pathKey } from './json.js';
import { isStamp, type Stamp } from './stamp.js';
import {
  decodeVersion,
  emptyVersion,
  encodeVersion,
  hasSeen,
  mergeVersions,
  witness,
  type EncodedVersionVector,
  type VersionVector,
} from './versionVector.js';

/**
 * For one element: each add is a dot (its stamp) mapped to the stamp of the remove that cancelled
 * it, or `null` while it is live. The element is present while any dot is live.
 */
export type OrSetDots = ReadonlyMap<Stamp, Stamp | null>;

/**
 * An add-wins observed-remove set of strings: a remove cancels only the adds it has seen, so an add
 * concurrent with a remove survives. Encode compound elements as strings (e.g. `JSON.stringify`).
 * `floor` is the stamp up to which cancelled dots were dropped by {@link compact}.
 */
export interface OrSet {
  readonly elements: ReadonlyMap<string, OrSetDots>;
  readonly seen: VersionVector;
  readonly floor: Stamp | null;
}

/** JSON form of an {@link OrSet}: `[element, [[dot, removedAt | null], …]]` pairs. */
export interface EncodedOrSet {
  readonly type: 'or-set';
  readonly v: 1;
  readonly seen: EncodedVersionVector;
  readonly floor: Stamp | null;
  readonly elements: readonly (readonly [string, readonly (readonly [Stamp, Stamp | null])[]])[];
}

const KIND = 'or-set';

/** An empty set. */
export function create(): OrSet {
  return { elements: new Map(), seen: emptyVersion(), floor: null };
}

/** True when `element` is in the set. */
export function has(set: OrSet, element: string): boolean {
  const dots = set.elements.get(element);
  if (dots === undefined) return false;
  for (const removed of dots.values()) if (removed === null) return true;
  return false;
}

/** The elements, sorted. */
export function values(set: OrSet): string[] {
  return [...set.elements.keys()].filter((e) => has(set, e)).sort();
}

// Cancels every live dot of `element` at `stamp`, optionally adding a new live dot `stamp`.
function rewrite(set: OrSet, element: string, stamp: Stamp, adding: boolean): OrSet {
  const dots = new Map(set.elements.get(element));
  let changed = adding;
  for (const [dot, removed] of dots) {
    if (removed === null) {
      dots.set(dot, stamp);
      changed = true;
    }
  }
  if (!changed) return set;
  if (adding) dots.set(stamp, null);
  const elements = new Map(set.elements).set(element, dots);
  return { elements, seen: witness(set.seen, stamp), floor: set.floor };
}

/** Adds `element` at `stamp` (from `clock.tick()`); wins over any concurrent remove. */
export function add(set: OrSet, element: string, stamp: Stamp): OrSet {
  return rewrite(set, element, stamp, true);
}

/** Removes `element` at `stamp`: cancels the adds this replica has seen (not concurrent ones). */
export function remove(set: OrSet, element: string, stamp: Stamp): OrSet {
  return rewrite(set, element, stamp, false);
}

const laterRemoval = (x: Stamp | null, y: Stamp | null): Stamp | null => (x === null ? y : y === null || x > y ? x : y);

/**
 * Merges two sets dot by dot (union; a cancelled dot stays cancelled). Commutative, associative,
 * idempotent; accepts a full state or a {@link delta}; returns `a` itself when `b` adds nothing.
 */
export function merge(a: OrSet, b: OrSet): OrSet {
  if (a === b) return a;
  const floor = a.floor === null || (b.floor !== null && b.floor > a.floor) ? b.floor : a.floor;
  const elements = new Map(a.elements);
  let changed = false;
  const stale = (dot: Stamp, removed: Stamp | null, otherFloor: Stamp | null, otherHas: boolean): boolean =>
    // A dot the other side lacks although it is at or before that side's floor was compacted there.
    (!otherHas && otherFloor !== null && dot <= otherFloor) || (removed !== null && floor !== null && removed <= floor);
  for (const element of new Set([...a.elements.keys(), ...b.elements.keys()])) {
    const mine = a.elements.get(element);
    const theirs = b.elements.get(element);
    const dots = new Map<Stamp, Stamp | null>();
    for (const [dot, removed] of mine ?? []) {
      const other = theirs?.get(dot);
      const joined = other === undefined ? removed : laterRemoval(removed, other);
      if (!stale(dot, joined, b.floor, other !== undefined)) dots.set(dot, joined);
    }
    for (const [dot, removed] of theirs ?? []) {
      if (mine?.has(dot) !== true && !stale(dot, removed, a.floor, false)) dots.set(dot, removed);
    }
    if (!sameDots(mine, dots)) {
      changed = true;
      if (dots.size === 0) elements.delete(element);
      else elements.set(element, dots);
    }
  }
  const seen = mergeVersions(a.seen, b.seen);
  if (!changed && seen === a.seen && floor === a.floor) return a;
  return { elements: changed ? elements : a.elements, seen, floor };
}

function sameDots(x: OrSetDots | undefined, y: OrSetDots): boolean {
  if (x === undefined) return y.size === 0;
  if (x.size !== y.size) return false;
  for (const [dot, removed] of y) if (x.get(dot) !== removed || !x.has(dot)) return false;
  return true;
}

/** The dots a replica at version `since` lacks: adds and removes newer than what it has seen. */
export function delta(set: OrSet, since: VersionVector): OrSet {
  const elements = new Map<string, OrSetDots>();
  for (const [element, dots] of set.elements) {
    let fresh: Map<Stamp, Stamp | null> | undefined;
    for (const [dot, removed] of dots) {
      if (!hasSeen(since, dot) || (removed !== null && !hasSeen(since, removed))) (fresh ??= new Map()).set(dot, removed);
    }
    if (fresh !== undefined) elements.set(element, fresh);
  }
  return { elements, seen: set.seen, floor: null };
}

/** The set's version vector, to send to a peer that will compute a {@link delta} for us. */
export function version(set: OrSet): VersionVector {
  return set.seen;
}

/**
 * Drops cancelled dots whose remove is stamped at or before `stable` and remembers `stable` as the
 * floor. Same contract as `lwwMap.compact`: every replica has merged everything up to `stable`.
 */
export function compact(set: OrSet, stable: Stamp): OrSet {
  if (set.floor !== null && stable <= set.floor) return set;
  const elements = new Map<string, OrSetDots>();
  for (const [element, dots] of set.elements) {
    const kept = new Map([...dots].filter(([, removed]) => removed === null || removed > stable));
    if (kept.size > 0) elements.set(element, kept);
  }
  return { elements, seen: set.seen, floor: stable };
}

/** JSON-safe form, sorted so equal sets encode equally. */
export function encode(set: OrSet): EncodedOrSet {
  const elements = [...set.elements]
    .sort((x, y) => (x[0] < y[0] ? -1 : 1))
    .map(([element, dots]) => [element, [...dots].sort((x, y) => (x[0] < y[0] ? -1 : 1))] as const);
  return { type: KIND, v: 1, seen: encodeVersion(set.seen), floor: set.floor, elements };
}

/** Validates an encoded set (every field, before use) and decodes it; errors name the field. */
export function decode(input: unknown): OrSet {
  assertEnvelope(KIND, input);
  const seen = decodeVersion(KIND, 'seen', field(KIND, input, 'seen'));
  const floor = field(KIND, input, 'floor');
  if (floor !== null && !isStamp(floor)) invalid(KIND, 'floor', 'must be a stamp or null');
  const elements = new Map<string, OrSetDots>();
  arrayField(KIND, 'elements', field(KIND, input, 'elements')).forEach((pair, i) => {
    const path = `elements[${i}]`;
    if (!Array.isArray(pair) || pair.length !== 2) invalid(KIND, path, 'must be an [element, dots] pair');
    const [element, rawDots] = pair as unknown[];
    if (typeof element !== 'string') invalid(KIND, `${path}[0]`, 'must be a string');
    if (elements.has(element)) invalid(KIND, `${path}[0]`, `repeats element ${JSON.stringify(element)}`);
    const dots = new Map<Stamp, Stamp | null>();
    arrayField(KIND, pathKey('elements', element), rawDots).forEach((dotPair, j) => {
      const at = `${path}[1][${j}]`;
      if (!Array.isArray(dotPair) || dotPair.length !== 2) invalid(KIND, at, 'must be a [dot, removedAt] pair');
      const [dot, removed] = dotPair as unknown[];
      if (!isStamp(dot) || !hasSeen(seen, dot)) invalid(KIND, `${at}[0]`, 'must be a stamp covered by seen');
      if (dots.has(dot)) invalid(KIND, `${at}[0]`, 'repeats a dot');
      if (removed !== null && (!isStamp(removed) || !hasSeen(seen, removed))) {
        invalid(KIND, `${at}[1]`, 'must be null or a stamp covered by seen');
      }
      if (removed !== null && floor !== null && removed <= floor) invalid(KIND, `${at}[1]`, 'is a removal at or before floor');
      dots.set(dot, removed);
    });
    if (dots.size > 0) elements.set(element, dots);
  });
  return { elements, seen, floor };
}
