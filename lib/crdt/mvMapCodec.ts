import { arrayField, assertEnvelope, assertJson, field, invalid, pathKey, type Json } from './json.js';
import type { EncodedMvMap, MvField, MvMap } from './mvMap.js';
import type { Sibling } from './mvRegister.js';
import { isStamp, stampNode, type Stamp } from './stamp.js';

const KIND = 'mv-map';

type EncodedWrite = readonly [Stamp] | readonly [Stamp, Json];

/**
 * JSON-safe form of a map (or delta) whose values are JSON data, sorted so equal maps encode
 * equally. A live sibling's stamp is always its node's newest in `seen` (a node's newer write to
 * the field replaced its older one), so each field is one list of stamps, the live ones with a value.
 */
export function encode<V>(state: MvMap<V>): EncodedMvMap {
  const fields = [...state.fields].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([name, f]) => [name, encodeField(f)] as const);
  return { type: KIND, v: 1, fields };
}

function encodeField<V>({ seen, siblings }: MvField<V>): EncodedWrite[] {
  const live = new Map(siblings.map((s) => [s.stamp, s.value as Json]));
  return [...seen.values()].sort().map((stamp): EncodedWrite => (live.has(stamp) ? [stamp, live.get(stamp) as Json] : [stamp]));
}

/**
 * Validates an encoded map — every field, before anything is built — and decodes it. Throws
 * `E_CRDT_INVALID` whose message names the offending path, e.g.
 * `mv-map: fields.email[1][1] must be a finite number`. Field names such as `__proto__` decode as
 * ordinary fields (the map is a `Map`, never an object written by key).
 */
export function decode(input: unknown): MvMap<Json> {
  assertEnvelope(KIND, input);
  const fields = new Map<string, MvField<Json>>();
  let previous: string | undefined;
  arrayField(KIND, 'fields', field(KIND, input, 'fields')).forEach((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) invalid(KIND, `fields[${i}]`, 'must be a [name, writes] pair');
    const [name, writes] = pair as unknown[];
    if (typeof name !== 'string') invalid(KIND, `fields[${i}][0]`, 'must be a string');
    if (previous !== undefined && !(name > previous)) {
      invalid(KIND, `fields[${i}][0]`, `${JSON.stringify(name)} must sort after the previous field (sorted, no repeats)`);
    }
    previous = name;
    fields.set(name, decodeField(pathKey('fields', name), writes));
  });
  return { fields };
}

function decodeField(path: string, input: unknown): MvField<Json> {
  const writes = arrayField(KIND, path, input);
  if (writes.length === 0) invalid(KIND, path, 'must hold at least one write');
  const seen = new Map<string, Stamp>();
  const siblings: Sibling<Json>[] = [];
  let previous: Stamp | undefined;
  writes.forEach((write, j) => {
    const at = `${path}[${j}]`;
    if (!Array.isArray(write) || (write.length !== 1 && write.length !== 2)) invalid(KIND, at, 'must be [stamp] or [stamp, value]');
    const [stamp, value] = write as unknown[];
    if (!isStamp(stamp)) invalid(KIND, `${at}[0]`, 'must be a stamp');
    if (previous !== undefined && !(stamp > previous)) invalid(KIND, `${at}[0]`, 'must be greater than the previous stamp');
    previous = stamp;
    const node = stampNode(stamp);
    if (seen.has(node)) invalid(KIND, `${at}[0]`, `repeats node ${JSON.stringify(node)}`);
    seen.set(node, stamp);
    if (write.length === 2) {
      assertJson(KIND, `${at}[1]`, value);
      siblings.push({ stamp, value });
    }
  });
  return { siblings, seen };
}
