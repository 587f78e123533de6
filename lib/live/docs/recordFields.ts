import type { Json } from '../../crdt/json.js';

/** The field names of a record type `V`, as strings (what map documents are keyed by). */
export type FieldsOf<V> = keyof V & string;

/**
 * What a map document of records `V` shows: `Partial<V>`, since a document nobody wrote yet is
 * `{}`; untyped (`Record<string, Json>`) documents keep their plain record type.
 */
export type MapValue<V> = Record<string, Json> extends V ? Readonly<Record<string, Json>> : Readonly<Partial<V>>;

/** What a recipe changed in a record: fields written (new or different) and fields deleted. */
export function changedFields(before: object, after: object): { written: Array<[string, unknown]>; removed: string[] } {
  const old = before as Record<string, unknown>;
  const next = after as Record<string, unknown>;
  const written = Object.keys(next)
    .filter((k) => !Object.hasOwn(old, k) || old[k] !== next[k])
    .map((k): [string, unknown] => [k, next[k]]);
  const removed = Object.keys(old).filter((k) => !Object.hasOwn(next, k));
  return { written, removed };
}
