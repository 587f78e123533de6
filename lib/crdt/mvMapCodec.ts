import { arrayField, assertEnvelope, assertJson, field, invalid, pathKey, type Json } from './json.js';
import type { EncodedMvMap, MvField, MvMap } from './mvMap.js';
import type { Sibling } from './mvRegister.js';
import { isStamp, stampNode, type Stamp } from './stamp.js';
import { decodeVersion, encodeVersion } from './versionVector.js';

const KIND = 'mv-map';

/** JSON-safe form of a map (or delta) whose values are JSON data, sorted so equal maps encode equally. */
export function encode<V>(state: MvMap<V>): EncodedMvMap {
  const fields = [...state.fields]
    .sort((x, y) => (x[0] < y[0] ? -1 : 1))
    .map(([name, { seen, siblings }]) => [name, encodeVersion(seen), siblings.map((s) => [s.stamp, s.value as Json] as const)] as const);
  return { type: KIND, v: 1, fields };
}

/**
 * Validates an encoded map — every field, before anything is built — and decodes it. Throws
 * `E_CRDT_INVALID` whose message names the offending path, e.g.
 * `mv-map: fields.email.siblings[1][1] must be a finite number`. Field names such as `__proto__`
 * decode as ordinary fields (the map is a `Map`, never an object written by key).
 */
export function decode(input: unknown): MvMap<Json> {
  assertEnvelope(KIND, input);
  const fields = new Map<string, MvField<Json>>();
  let previous: string | undefined;
  arrayField(KIND, 'fields', field(KIND, input, 'fields')).forEach((triple, i) => {
    if (!Array.isArray(triple) || triple.length !== 3) invalid(KIND, `fields[${i}]`, 'must be a [name, seen, siblings] triple');
    const [name, rawSeen, rawSiblings] = triple as unknown[];
    if (typeof name !== 'string') invalid(KIND, `fields[${i}][0]`, 'must be a string');
    if (previous !== undefined && !(name > previous)) {
      invalid(KIND, `fields[${i}][0]`, `${JSON.stringify(name)} must sort after the previous field (sorted, no repeats)`);
    }
    previous = name;
    const path = pathKey('fields', name);
    const seen = decodeVersion(KIND, `${path}.seen`, rawSeen);
    if (seen.size === 0) invalid(KIND, `${path}.seen`, 'must hold at least one write');
    const siblings: Sibling<Json>[] = [];
    arrayField(KIND, `${path}.siblings`, rawSiblings).forEach((pair, j) => {
      const at = `${path}.siblings[${j}]`;
      if (!Array.isArray(pair) || pair.length !== 2) invalid(KIND, at, 'must be a [stamp, value] pair');
      const [stamp, value] = pair as unknown[];
      if (!isStamp(stamp)) invalid(KIND, `${at}[0]`, 'must be a stamp');
      if (j > 0 && !(stamp > (siblings[j - 1] as Sibling<Json>).stamp))
        invalid(KIND, `${at}[0]`, 'must be greater than the previous stamp');
      // A node's newer write to the field replaced its older one: a live sibling is its node's newest.
      if (seen.get(stampNode(stamp)) !== stamp) invalid(KIND, `${at}[0]`, 'must be the newest stamp seen from its node');
      assertJson(KIND, `${at}[1]`, value);
      siblings.push({ stamp: stamp as Stamp, value });
    });
    fields.set(name, { siblings, seen });
  });
  return { fields };
}
