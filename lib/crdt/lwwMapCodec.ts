import { assertJson, field, invalid, pathKey, type Json } from './json.js';
import type { EncodedLwwMap, LwwEntry, LwwMap } from './lwwMap.js';
import { KIND, forEachEntry, readColumns } from './lwwMapColumns.js';
import { STAMP_PREFIX, decodeStamp, isStamp, stampNode, type Stamp } from './stamp.js';
import { decodeVersion, encodeVersion, hasSeen } from './versionVector.js';

interface Row {
  readonly key: string;
  readonly entry: LwwEntry<unknown>;
  readonly node: string;
  readonly time: number;
  readonly counter: number;
}

const byNodeThenStamp = (x: Row, y: Row): number =>
  x.node !== y.node ? (x.node < y.node ? -1 : 1) : x.entry.stamp < y.entry.stamp ? -1 : x.entry.stamp > y.entry.stamp ? 1 : 0;

/** Builds the columns from entries handed over in (node, stamp) order. */
function columns(): {
  add(key: string, entry: LwwEntry<unknown>, node: string, time: number, counter: number): void;
  nodes: string[];
  runs: number[];
  keys: string[];
  values: Json[];
  deleted: number[];
} {
  const nodes: string[] = [];
  const runs: number[] = [];
  const keys: string[] = [];
  const values: Json[] = [];
  const deleted: number[] = [];
  let runTime = 0;
  let run = -1; // index in `runs` of the open run
  return {
    nodes,
    runs,
    keys,
    values,
    deleted,
    add(key, entry, node, time, counter) {
      const open = run >= 0 && nodes[runs[run] as number] === node && runTime === time;
      const length = open ? (runs[run + 3] as number) : 0;
      const start = open ? (runs[run + 2] as number) : 0;
      if (open && length === 1 && (counter === start || counter === start + 1)) {
        runs[run + 4] = counter - start;
        runs[run + 3] = 2;
      } else if (open && length > 1 && counter === start + length * (runs[run + 4] as number)) {
        runs[run + 3] = length + 1;
      } else {
        if (nodes[nodes.length - 1] !== node) nodes.push(node);
        run = runs.length;
        runs.push(nodes.length - 1, time - runTime, counter, 1, 1);
        runTime = time;
      }
      if (entry.deleted) deleted.push(keys.length);
      keys.push(key);
      values.push(entry.deleted ? 0 : (entry.value as Json));
    },
  };
}

/** JSON-safe form of a map (or delta) whose values are JSON data. */
export function encode<V>(map: LwwMap<V>): EncodedLwwMap {
  const built = encodeInOrder(map.entries) ?? encodeSorted(map.entries);
  const { nodes, runs, keys, values, deleted } = built;
  return { type: KIND, v: 1, seen: encodeVersion(map.seen), floor: map.floor, nodes, runs, keys, values, deleted };
}

// Local writes usually sit in the map in stamp order: one pass, no sorting. Gives up (undefined)
// at the first entry out of (node, stamp) order.
function encodeInOrder(entries: ReadonlyMap<string, LwwEntry<unknown>>): ReturnType<typeof columns> | undefined {
  const out = columns();
  let node = '';
  let timeText = '';
  let time = 0;
  let previous = '';
  for (const [key, entry] of entries) {
    // Stamps in a map were validated on the way in: parse without re-validating, reusing the node
    // and time of the previous entry when they repeat (they usually do).
    const stamp = entry.stamp;
    if (!(stamp.length === node.length + STAMP_PREFIX && stamp.endsWith(node))) {
      const next = stampNode(stamp);
      if (next < node) return undefined;
      node = next;
      previous = '';
    }
    if (stamp < previous) return undefined;
    previous = stamp;
    if (timeText === '' || !stamp.startsWith(timeText)) {
      timeText = stamp.slice(0, 9);
      time = parseInt(timeText, 36);
    }
    out.add(key, entry, node, time, parseInt(stamp.slice(9, STAMP_PREFIX), 36));
  }
  return out;
}

function encodeSorted(entries: ReadonlyMap<string, LwwEntry<unknown>>): ReturnType<typeof columns> {
  const rows: Row[] = [];
  for (const [key, entry] of entries) {
    const { node, time, counter } = decodeStamp(entry.stamp);
    rows.push({ key, entry, node, time, counter });
  }
  rows.sort(byNodeThenStamp);
  const out = columns();
  for (const row of rows) out.add(row.key, row.entry, row.node, row.time, row.counter);
  return out;
}

/**
 * Validates an encoded map — every field, before anything is built — and decodes it. Throws
 * `E_CRDT_INVALID` whose message names the offending field (e.g. `lww-map: values[3].tags[0] must be
 * a finite number`). Keys such as `__proto__` decode as ordinary fields.
 */
export function decode(input: unknown): LwwMap<Json> {
  const columns = readColumns(input);
  // The map stays private until every key and value passed: a throw leaves nothing half-built.
  const entries = new Map<string, LwwEntry<Json>>();
  forEachEntry(columns, (key, entry, index) => {
    const before = entries.size;
    entries.set(key, entry);
    if (entries.size === before) invalid(KIND, `keys[${index}]`, `repeats key ${JSON.stringify(key)}`);
  });
  return { entries, seen: columns.seen, floor: columns.floor };
}

/**
 * Validates an in-memory map (for example one handed over by other code) with the same rules as
 * {@link decode} and returns it unchanged; throws `E_CRDT_INVALID` naming the field.
 */
export function check(input: unknown): LwwMap<Json> {
  if (typeof input !== 'object' || input === null) invalid(KIND, '(root)', 'must be an object');
  const entries = field(KIND, input, 'entries');
  const seen = field(KIND, input, 'seen');
  const floor = field(KIND, input, 'floor');
  if (!(entries instanceof Map)) invalid(KIND, 'entries', 'must be a Map');
  if (!(seen instanceof Map)) invalid(KIND, 'seen', 'must be a Map');
  decodeVersion(KIND, 'seen', [...(seen as Map<unknown, unknown>)]);
  if (floor !== null && !isStamp(floor)) invalid(KIND, 'floor', 'must be a stamp or null');
  for (const [key, entry] of entries as Map<unknown, unknown>) {
    if (typeof key !== 'string') invalid(KIND, 'entries', 'must have string keys');
    const path = pathKey('entries', key);
    if (typeof entry !== 'object' || entry === null) invalid(KIND, path, 'must be an entry object');
    const stamp = field(KIND, entry, 'stamp');
    const isTombstone = field(KIND, entry, 'deleted');
    if (!isStamp(stamp)) invalid(KIND, `${path}.stamp`, 'must be a stamp');
    if (!hasSeen(seen as Map<string, Stamp>, stamp)) invalid(KIND, `${path}.stamp`, 'is newer than seen for its node');
    if (typeof isTombstone !== 'boolean') invalid(KIND, `${path}.deleted`, 'must be a boolean');
    if (!isTombstone) assertJson(KIND, `${path}.value`, field(KIND, entry, 'value'));
  }
  return input as LwwMap<Json>;
}
