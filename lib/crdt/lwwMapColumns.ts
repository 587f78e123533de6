import { arrayField, assertEnvelope, assertJson, field, invalid, type Json } from './json.js';
import type { LwwEntry } from './lwwMap.js';
import { MAX_STAMP_COUNTER, MAX_STAMP_TIME, encodeStamp, isNodeId, isStamp, type Stamp } from './stamp.js';
import { decodeVersion, hasSeen, type VersionVector } from './versionVector.js';

/** The `type` of an encoded LwwMap, and the prefix of its error messages. */
export const KIND = 'lww-map';
/** Numbers per entry of `runs`. */
export const RUN = 5;

interface RunStart {
  readonly node: string;
  readonly timePart: string;
  readonly counter: number;
  readonly length: number;
  readonly step: number;
}

/** An encoded map whose small columns passed validation; keys and values are checked per entry. */
export interface CheckedColumns {
  readonly seen: VersionVector;
  readonly floor: Stamp | null;
  readonly keys: readonly unknown[];
  readonly values: readonly unknown[];
  readonly isDeleted: Uint8Array;
  readonly runStarts: readonly RunStart[];
}

/** Validates everything but the keys and values (those are checked by {@link forEachEntry}). */
export function readColumns(input: unknown): CheckedColumns {
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
  // First the small columns (runs, deleted), so the per-key loop below only checks keys and values.
  const runStarts: RunStart[] = [];
  let total = 0;
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
    if (total + (length as number) > keys.length) invalid(KIND, at(3), `adds up to more than the ${keys.length} keys`);
    const node = nodes[nodeIndex as number] as string;
    if (!hasSeen(seen, encodeStamp({ time, counter: last, node }))) invalid(KIND, at(0), 'has stamps newer than seen for its node');
    runStarts.push({
      node,
      timePart: encodeStamp({ time, counter: 0, node }).slice(0, 9),
      counter: counter as number,
      length: length as number,
      step,
    });
    total += length as number;
  }
  if (total !== keys.length) invalid(KIND, 'runs', `must cover all ${keys.length} keys`);
  if (values.length !== total) invalid(KIND, 'values', `must have ${total} entries (one per key)`);
  const isDeleted = new Uint8Array(total);
  deleted.forEach((index, i) => {
    if (!Number.isSafeInteger(index) || (index as number) < 0 || (index as number) >= total)
      invalid(KIND, `deleted[${i}]`, `must be an index below ${total}`);
    if (i > 0 && (index as number) <= (deleted[i - 1] as number)) invalid(KIND, `deleted[${i}]`, 'must be greater than the previous index');
    isDeleted[index as number] = 1;
  });
  return { seen, floor: floor as Stamp | null, keys, values, isDeleted, runStarts };
}

/**
 * Visits every entry in column order, checking its key and value first; throws `E_CRDT_INVALID`
 * naming `keys[i]` / `values[i]…` on the first bad one.
 */
export function forEachEntry(columns: CheckedColumns, visit: (key: string, entry: LwwEntry<Json>, index: number) => void): void {
  const { keys, values, isDeleted, floor } = columns;
  let index = 0;
  for (const run of columns.runStarts) {
    for (let i = 0; i < run.length; i++, index++) {
      // Parts were validated per run, so the stamp string is assembled directly.
      const stamp = run.timePart + (run.counter + i * run.step).toString(36).padStart(3, '0') + run.node;
      const key = keys[index];
      if (typeof key !== 'string') invalid(KIND, `keys[${index}]`, 'must be a string');
      if (isDeleted[index] === 1) {
        if (floor !== null && stamp <= floor) invalid(KIND, `keys[${index}]`, 'is a tombstone at or before floor');
        visit(key, { value: undefined, stamp, deleted: true }, index);
      } else {
        const fieldValue = values[index];
        assertJson(KIND, `values[${index}]`, fieldValue);
        visit(key, { value: fieldValue, stamp, deleted: false }, index);
      }
    }
  }
}
