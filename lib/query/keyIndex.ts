import type { QueryKey } from './queryKey.js';

const END = Symbol('entry');
type Node<V> = Map<unknown, Node<V>> & { [END]?: V };

/**
 * Finds values by keys made only of primitives (`['todos', 42]`) without serializing the key:
 * one Map lookup per part. Lookups for such keys, the common case of `getData`, skip hashing.
 * Keys with object parts are not indexed (callers fall back to the hash). Map keys compare with
 * SameValueZero, which agrees with the hash for every primitive the hash accepts (`'1'` and `1`
 * differ, `0` and `-0` agree); `undefined` and `null`, which share a hash, simply miss here.
 */
export class KeyIndex<V> {
  private readonly root: Node<V> = new Map();

  /** Indexes `value` under `key` if every part is a primitive; returns whether it did. */
  set(key: QueryKey, value: V): boolean {
    if (!key.every(isPrimitive)) return false;
    let node = this.root;
    for (const part of key) {
      let next = node.get(part);
      if (next === undefined) node.set(part, (next = new Map()));
      node = next;
    }
    node[END] = value;
    return true;
  }

  /** The value indexed under `key`, if any. */
  get(key: QueryKey): V | undefined {
    let node: Node<V> | undefined = this.root;
    for (let i = 0; i < key.length && node !== undefined; i++) node = node.get(key[i]);
    return node?.[END];
  }

  /** Drops `key`, pruning branches left empty. */
  delete(key: QueryKey): void {
    const path: Array<[Node<V>, unknown]> = [];
    let node: Node<V> | undefined = this.root;
    for (const part of key) {
      const next: Node<V> | undefined = node.get(part);
      if (next === undefined) return;
      path.push([node, part]);
      node = next;
    }
    delete node[END];
    for (let i = path.length - 1; i >= 0; i--) {
      const [parent, part] = path[i]!;
      const child = parent.get(part)!;
      if (child.size > 0 || child[END] !== undefined) break;
      parent.delete(part);
    }
  }

  clear(): void {
    this.root.clear();
    delete this.root[END];
  }
}

function isPrimitive(part: unknown): boolean {
  const type = typeof part;
  return type === 'string' || type === 'number' || type === 'boolean';
}
