import type { QueryKey } from './queryKey.js';

/** One key part's level: the values whose key ends here, and the levels below. */
interface Level<V> {
  values: Map<unknown, V> | undefined;
  children: Map<unknown, Level<V>> | undefined;
}

/**
 * Finds values by keys made only of primitives (`['todos', 42]`) without serializing the key:
 * one Map lookup per part. Lookups for such keys, the common case of `getData`, skip hashing.
 * Keys with object parts are not indexed (callers fall back to the hash). Map keys compare with
 * SameValueZero, which agrees with the hash for every primitive the hash accepts (`'1'` and `1`
 * differ, `0` and `-0` agree); `undefined` and `null`, which share a hash, simply miss here.
 * A value sits in its last part's slot of the level above (no Map per key): 10,000 keys
 * `['todo', i]` cost one Map of 10,000 slots.
 */
export class KeyIndex<V> {
  private readonly root: Level<V> = { values: undefined, children: undefined };
  /** The value of the empty key `[]`. */
  private emptyKey: V | undefined;

  /** Indexes `value` under `key` if every part is a primitive; returns whether it did. */
  set(key: QueryKey, value: V): boolean {
    for (let i = 0; i < key.length; i++) if (!isPrimitive(key[i])) return false;
    if (key.length === 0) {
      this.emptyKey = value;
      return true;
    }
    let level = this.root;
    for (let i = 0; i < key.length - 1; i++) {
      const children = (level.children ??= new Map());
      let next = children.get(key[i]);
      if (next === undefined) children.set(key[i], (next = { values: undefined, children: undefined }));
      level = next;
    }
    (level.values ??= new Map()).set(key[key.length - 1], value);
    return true;
  }

  /** The value indexed under `key`, if any. */
  get(key: QueryKey): V | undefined {
    const last = key.length - 1;
    if (last < 0) return this.emptyKey;
    let level: Level<V> | undefined = this.root;
    for (let i = 0; i < last && level !== undefined; i++) level = level.children?.get(key[i]);
    return level?.values?.get(key[last]);
  }

  /** Drops `key`, pruning levels left empty. */
  delete(key: QueryKey): void {
    const last = key.length - 1;
    if (last < 0) {
      this.emptyKey = undefined;
      return;
    }
    const path: Level<V>[] = [this.root];
    for (let i = 0; i < last; i++) {
      const next = path[i]!.children?.get(key[i]);
      if (next === undefined) return;
      path.push(next);
    }
    const values = path[last]!.values;
    if (values === undefined || !values.delete(key[last])) return;
    for (let i = last; i > 0; i--) {
      const level = path[i]!;
      if ((level.values?.size ?? 0) > 0 || (level.children?.size ?? 0) > 0) break;
      path[i - 1]!.children!.delete(key[i - 1]);
    }
  }

  clear(): void {
    this.root.values = undefined;
    this.root.children = undefined;
    this.emptyKey = undefined;
  }
}

function isPrimitive(part: unknown): boolean {
  const type = typeof part;
  return type === 'string' || type === 'number' || type === 'boolean';
}
