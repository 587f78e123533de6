import { arrayField, invalid } from './json.js';
import { isNodeId, isStamp, stampNode, type Stamp } from './stamp.js';

/**
 * What a replica has seen: for each node id, the newest stamp from that node whose writes it holds
 * (or has seen overwritten). Passing a replica's vector to a `delta` function yields only what that
 * replica lacks. Keys are data: a `Map`, so a node called `__proto__` is just a node.
 */
export type VersionVector = ReadonlyMap<string, Stamp>;

/** JSON form of a {@link VersionVector}: `[nodeId, stamp]` pairs. */
export type EncodedVersionVector = readonly (readonly [string, Stamp])[];

const EMPTY: VersionVector = new Map();

/** The empty version vector (has seen nothing). */
export function emptyVersion(): VersionVector {
  return EMPTY;
}

/** True when `version` has seen `stamp` (a write by `stampNode(stamp)`). */
export function hasSeen(version: VersionVector, stamp: Stamp): boolean {
  const seen = version.get(stampNode(stamp));
  return seen !== undefined && stamp <= seen;
}

/** Records `stamp` in a copy of `version`; returns `version` itself when nothing changes. */
export function witness(version: VersionVector, stamp: Stamp): VersionVector {
  const node = stampNode(stamp);
  const seen = version.get(node);
  if (seen !== undefined && seen >= stamp) return version;
  const next = new Map(version);
  next.set(node, stamp);
  return next;
}

/** Pointwise maximum; returns `a` itself when `b` adds nothing, so callers can detect no-ops. */
export function mergeVersions(a: VersionVector, b: VersionVector): VersionVector {
  let next: Map<string, Stamp> | undefined;
  for (const [node, stamp] of b) {
    const mine = a.get(node);
    if (mine === undefined || stamp > mine) {
      next ??= new Map(a);
      next.set(node, stamp);
    }
  }
  return next ?? a;
}

/** True when `a` has seen everything `b` has. */
export function coversVersion(a: VersionVector, b: VersionVector): boolean {
  for (const [node, stamp] of b) {
    const mine = a.get(node);
    if (mine === undefined || mine < stamp) return false;
  }
  return true;
}

/** The newest stamp in the vector, or `undefined` when empty (what a clock must `receive`). */
export function newestStamp(version: VersionVector): Stamp | undefined {
  let newest: Stamp | undefined;
  for (const stamp of version.values()) if (newest === undefined || stamp > newest) newest = stamp;
  return newest;
}

/** JSON-safe form, sorted by node id so equal vectors encode equally. */
export function encodeVersion(version: VersionVector): EncodedVersionVector {
  return [...version].sort((x, y) => (x[0] < y[0] ? -1 : 1));
}

/** Validates and decodes a version vector; errors name the offending path. */
export function decodeVersion(kind: string, path: string, input: unknown): VersionVector {
  const pairs = arrayField(kind, path, input);
  const out = new Map<string, Stamp>();
  pairs.forEach((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) invalid(kind, `${path}[${i}]`, 'must be a [nodeId, stamp] pair');
    const [node, stamp] = pair as unknown[];
    if (!isNodeId(node)) invalid(kind, `${path}[${i}][0]`, 'must be a node id');
    if (!isStamp(stamp) || stampNode(stamp) !== node)
      invalid(kind, `${path}[${i}][1]`, `must be a stamp issued by ${JSON.stringify(node)}`);
    if (out.has(node)) invalid(kind, `${path}[${i}][0]`, `repeats node ${JSON.stringify(node)}`);
    out.set(node, stamp);
  });
  return out;
}

/**
 * The newest stamp every replica is known to have passed: the minimum of their acknowledged
 * stamps, or `undefined` when `acks` is empty. A replica acknowledges stamp `T` once it has merged
 * every write stamped at or before `T` and its own clock has moved past `T` (so it can never issue
 * a write stamped `<= T` again). Pass the result to `lwwMap.compact` / `orSet.compact`.
 */
export function stableStamp(acks: Iterable<Stamp>): Stamp | undefined {
  let min: Stamp | undefined;
  for (const ack of acks) if (min === undefined || ack < min) min = ack;
  return min;
}
