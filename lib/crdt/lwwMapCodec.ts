import { arrayField, assertEnvelope, assertJson, field, invalid, pathKey, type Json } from './json.js';
import type { LwwEntry, LwwMap } from './lwwMapState.js';
import { MAX_STAMP_COUNTER, MAX_STAMP_TIME, STAMP_PREFIX, encodeStamp, stampNode, isNodeId, isStamp, type Stamp } from './stamp.js';
import { decodeVersion, encodeVersion, hasSeen, type EncodedVersionVector } from './versionVector.js';

/**
 * JSON form of an {@link LwwMap}, column by column so that stamps cost almost nothing on the wire.
 * Entries are ordered by (node, stamp); `runs` describes their stamps five numbers at a time:
 * `[nodeIndex, timeDelta, counter, length, step]` = `length` consecutive entries written by
 * `nodes[nodeIndex]` at logical time `previous run's time + timeDelta`, with counters `counter`,
 * `counter + step`, … (`step` is 1 for a burst of writes, 0 for writes sharing one stamp).
 * `deleted` lists the indexes of tombstones (their value is a placeholder 0).
 */
export interface EncodedLwwMap {
  readonly type: 'lww-map';
  readonly v: 1;
  readonly seen: EncodedVersionVector;
  readonly floor: Stamp | null;
  readonly nodes: readonly string[];
  readonly runs: readonly number[];
  readonly keys: readonly string[];
  readonly values: readonly Json[];
  readonly deleted: readonly number[];
}

const KIND = 'lww-map';
const RUN = 5;

interface Row {
  readonly key: string;
  readonly entry: LwwEntry<unknown>;
  readonly node: string;
  readonly time: number;
  readonly counter: number;
}

const byNodeThenStamp = (x: Row, y: Row): number =>
  x.node !== y.node ? (x.node < y.node ? -1 : 1) : x.entry.stamp < y.entry.stamp ? -1 : x.entry.stamp > y.entry.stamp ? 1 : 0;

/** JSON-safe form of a map (or delta) whose values are JSON data. */
export function encode<V extends Json>(map: LwwMap<V>): EncodedLwwMap {
  const rows: Row[] = [];
  let ordered = true;
  let node = '';
  let timeText = '';
  let time = 0;
  for (const [key, entry] of map.entries) {
    // Stamps in a map were validated on the way in; parse them without re-validating, reusing the
    // node and time of the previous entry when they repeat (they usually do).
    const stamp = entry.stamp;
    if (!(stamp.length === node.length + STAMP_PREFIX && stamp.endsWith(node))) node = stampNode(stamp);
    if (timeText === '' || !stamp.startsWith(timeText)) {
      timeText = stamp.slice(0, 9);
      time = parseInt(timeText, 36);
    }
    const row: Row = { key, entry, node, time, counter: parseInt(stamp.slice(9, STAMP_PREFIX), 36) };
    const previous = rows[rows.length - 1];
    if (ordered && previous !== undefined && byNodeThenStamp(previous, row) > 0) ordered = false;
    rows.push(row);
  }
  // Local writes arrive in stamp order, so the sort is usually skipped.
  if (!ordered) rows.sort(byNodeThenStamp);
  const nodes: string[] = [];
  const runs: number[] = [];
  const keys: string[] = [];
  const values: Json[] = [];
  const deleted: number[] = [];
  let runTime = 0;
  let run = -1; // index in `runs` of the open run
  for (const row of rows) {
    const open = run >= 0 && nodes[runs[run] as number] === row.node && runTime === row.time;
    const length = open ? (runs[run + 3] as number) : 0;
    const start = open ? (runs[run + 2] as number) : 0;
    if (open && length === 1 && (row.counter === start || row.counter === start + 1)) {
      runs[run + 4] = row.counter - start;
      runs[run + 3] = 2;
    } else if (open && length > 1 && row.counter === start + length * (runs[run + 4] as number)) {
      runs[run + 3] = length + 1;
    } else {
      if (nodes[nodes.length - 1] !== row.node) nodes.push(row.node);
      run = runs.length;
      runs.push(nodes.length - 1, row.time - runTime, row.counter, 1, 1);
      runTime = row.time;
    }
    if (row.entry.deleted) deleted.push(keys.length);
    keys.push(row.key);
    values.push(row.entry.deleted ? 0 : (row.entry.value as Json));
  }
  return { type: KIND, v: 1, seen: encodeVersion(map.seen), floor: map.floor, nodes, runs, keys, values, deleted };
}

/**
 * Validates an encoded map — every field, before anything is built — and decodes it. Throws
 * `E_CRDT_INVALID` whose message names the offending field (e.g. `lww-map: values[3].tags[0] must be
 * a finite number`). Keys such as `__proto__` decode as ordinary fields.
 */
export function decode(input: unknown): LwwMap<Json> {
  assertEnvelope(KIND, input);
  const seen = decodeVersion(KIND, 'seen', field(KIND, input, 'seen'));
  const floor = field(KIND, input, 'floor');
  if (floor !== null && !isStamp(floor)) invalid(KIND, 'floor', 'must be a stamp or null');
  const nodes = arrayField(KIND, 'nodes', field(KIND, input, 'nodes'));
  const runs = arrayField(KIND, 'runs', field(KIND, input, 'runs'));
  const keys = arrayField(KIND, 'keys', field(KIND, input, 'keys'));
  const values = arrayField(KIND, 'values', field(KIND, input, 'values'));
  const deleted = arrayField(KIND, 'deleted', field(KIND, input, 'deleted'));
  nodes.forEach((node, i) => {
    if (!isNodeId(node)) invalid(KIND, `nodes[${i}]`, 'must be a node id');
  });
  if (runs.length % RUN !== 0) invalid(KIND, 'runs', `must hold groups of ${RUN} numbers`);
  const stamps: Stamp[] = [];
  let time = 0;
  for (let r = 0; r < runs.length; r += RUN) {
    const [nodeIndex, timeDelta, counter, length, step] = runs.slice(r, r + RUN) as number[];
    const at = (offset: number): string => `runs[${r + offset}]`;
    if (!Number.isSafeInteger(nodeIndex) || (nodeIndex as number) < 0 || (nodeIndex as number) >= nodes.length)
      invalid(KIND, at(0), 'must index nodes');
    if (!Number.isSafeInteger(timeDelta)) invalid(KIND, at(1), 'must be an integer');
    time += timeDelta as number;
    if (time < 0 || time > MAX_STAMP_TIME) invalid(KIND, at(1), 'takes logical time out of range');
    if (!Number.isSafeInteger(length) || (length as number) < 1) invalid(KIND, at(3), 'must be a positive integer');
    if (step !== 0 && step !== 1) invalid(KIND, at(4), 'must be 0 or 1');
    const last = (counter as number) + ((length as number) - 1) * step;
    if (!Number.isSafeInteger(counter) || (counter as number) < 0 || last > MAX_STAMP_COUNTER)
      invalid(KIND, at(2), 'takes the counter out of range');
    if (stamps.length + (length as number) > keys.length) invalid(KIND, at(3), `adds up to more than the ${keys.length} keys`);
    const node = nodes[nodeIndex as number] as string;
    if (!hasSeen(seen, encodeStamp({ time, counter: last, node }))) invalid(KIND, at(0), 'has stamps newer than seen for its node');
    // Validated above, so build the strings directly instead of re-checking every part.
    const timePart = encodeStamp({ time, counter: 0, node }).slice(0, 9);
    for (let i = 0; i < (length as number); i++)
      stamps.push(timePart + ((counter as number) + i * step).toString(36).padStart(3, '0') + node);
  }
  const total = keys.length;
  if (stamps.length !== total) invalid(KIND, 'runs', `must cover all ${total} keys`);
  if (values.length !== total) invalid(KIND, 'values', `must have ${total} entries (one per key)`);
  const isDeleted = new Uint8Array(total);
  deleted.forEach((index, i) => {
    if (!Number.isSafeInteger(index) || (index as number) < 0 || (index as number) >= total)
      invalid(KIND, `deleted[${i}]`, `must be an index below ${total}`);
    if (i > 0 && (index as number) <= (deleted[i - 1] as number)) invalid(KIND, `deleted[${i}]`, 'must be greater than the previous index');
    isDeleted[index as number] = 1;
  });
  const entries = new Map<string, LwwEntry<Json>>();
  for (let index = 0; index < total; index++) {
    const key = keys[index];
    const stamp = stamps[index] as Stamp;
    if (typeof key !== 'string') invalid(KIND, `keys[${index}]`, 'must be a string');
    if (entries.has(key)) invalid(KIND, `keys[${index}]`, `repeats key ${JSON.stringify(key)}`);
    if (isDeleted[index] === 1) {
      if (floor !== null && stamp <= floor) invalid(KIND, `keys[${index}]`, 'is a tombstone at or before floor');
      entries.set(key, { value: undefined, stamp, deleted: true });
    } else {
      const fieldValue = values[index];
      assertJson(KIND, `values[${index}]`, fieldValue);
      entries.set(key, { value: fieldValue, stamp, deleted: false });
    }
  }
  return { entries, seen, floor };
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
