import { RxSyncError } from '../errors.js';
import { arrayField, assertEnvelope, field, invalid } from './json.js';
import { isNodeId } from './stamp.js';

/**
 * A counter that replicas increment and decrement concurrently: each node's increments (`inc`) and
 * decrements (`dec`) are tallied separately and merged by maximum. Value = Σinc − Σdec.
 */
export interface PnCounter {
  readonly inc: ReadonlyMap<string, number>;
  readonly dec: ReadonlyMap<string, number>;
}

/** JSON form of a {@link PnCounter}: `[nodeId, total]` pairs sorted by node id. */
export interface EncodedPnCounter {
  readonly type: 'pn-counter';
  readonly v: 1;
  readonly inc: readonly (readonly [string, number])[];
  readonly dec: readonly (readonly [string, number])[];
}

const KIND = 'pn-counter';

/** A counter at zero. */
export function create(): PnCounter {
  return { inc: new Map(), dec: new Map() };
}

/**
 * Adds `amount` (a safe integer, negative to decrement) on behalf of `nodeId`. Throws
 * `E_CRDT_OVERFLOW` when a node's tally would leave the safe-integer range.
 *
 * @example
 * ```ts
 * likes = pnCounter.add(likes, clock.nodeId, 1);
 * ```
 */
export function add(counter: PnCounter, nodeId: string, amount: number): PnCounter {
  if (!isNodeId(nodeId)) throw new RxSyncError('E_OPTION_INVALID', `pn-counter: invalid node id ${JSON.stringify(nodeId)}`);
  if (!Number.isSafeInteger(amount))
    throw new RxSyncError('E_OPTION_INVALID', `pn-counter: amount must be a safe integer, got ${String(amount)}`);
  if (amount === 0) return counter;
  const side = amount > 0 ? counter.inc : counter.dec;
  const total = (side.get(nodeId) ?? 0) + Math.abs(amount);
  if (!Number.isSafeInteger(total))
    throw new RxSyncError('E_CRDT_OVERFLOW', `pn-counter: ${nodeId}'s tally would exceed the safe-integer range`);
  const next = new Map(side).set(nodeId, total);
  return amount > 0 ? { inc: next, dec: counter.dec } : { inc: counter.inc, dec: next };
}

/** The counter's value. */
export function value(counter: PnCounter): number {
  let sum = 0;
  for (const n of counter.inc.values()) sum += n;
  for (const n of counter.dec.values()) sum -= n;
  return sum;
}

function maxInto(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): ReadonlyMap<string, number> {
  let next: Map<string, number> | undefined;
  for (const [node, n] of b) {
    if (n > (a.get(node) ?? 0)) (next ??= new Map(a)).set(node, n);
  }
  return next ?? a;
}

/** Merges by per-node maximum. Commutative, associative, idempotent; returns `a` when `b` adds nothing. */
export function merge(a: PnCounter, b: PnCounter): PnCounter {
  const inc = maxInto(a.inc, b.inc);
  const dec = maxInto(a.dec, b.dec);
  return inc === a.inc && dec === a.dec ? a : { inc, dec };
}

function newer(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [node, n] of a) if (n > (b.get(node) ?? 0)) out.set(node, n);
  return out;
}

/** The tallies a replica whose counter is `since` lacks (a counter is its own version). */
export function delta(counter: PnCounter, since: PnCounter): PnCounter {
  return { inc: newer(counter.inc, since.inc), dec: newer(counter.dec, since.dec) };
}

/** The counter's version: the counter itself (its tallies say exactly what it has seen). */
export function version(counter: PnCounter): PnCounter {
  return counter;
}

const sorted = (m: ReadonlyMap<string, number>): [string, number][] => [...m].sort((x, y) => (x[0] < y[0] ? -1 : 1));

/** JSON-safe form. */
export function encode(counter: PnCounter): EncodedPnCounter {
  return { type: KIND, v: 1, inc: sorted(counter.inc), dec: sorted(counter.dec) };
}

function decodeTallies(name: string, input: unknown): Map<string, number> {
  const out = new Map<string, number>();
  arrayField(KIND, name, input).forEach((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) invalid(KIND, `${name}[${i}]`, 'must be a [nodeId, total] pair');
    const [node, n] = pair as unknown[];
    if (!isNodeId(node)) invalid(KIND, `${name}[${i}][0]`, 'must be a node id');
    if (out.has(node)) invalid(KIND, `${name}[${i}][0]`, `repeats node ${JSON.stringify(node)}`);
    if (!Number.isSafeInteger(n) || (n as number) < 1) invalid(KIND, `${name}[${i}][1]`, 'must be a positive safe integer');
    out.set(node, n as number);
  });
  return out;
}

/** Validates an encoded counter (every field, before use) and decodes it; errors name the field. */
export function decode(input: unknown): PnCounter {
  assertEnvelope(KIND, input);
  const inc = decodeTallies('inc', field(KIND, input, 'inc'));
  const dec = decodeTallies('dec', field(KIND, input, 'dec'));
  return { inc, dec };
}
