import { compareOps, type OutboxOp } from './outboxOp.js';

/**
 * The ops waiting in memory, kept in send order per scope (see `compareOps`). Storage holds the
 * durable copy; this is what the send pipelines read.
 */
export interface OutboxQueue {
  /** How many ops wait, over all scopes. */
  readonly size: number;
  /** Adds ops in send order, skipping ids already queued; returns the ones added. */
  insert(ops: readonly OutboxOp[]): OutboxOp[];
  /** Removes an op; returns it, or `undefined` when it was not queued. */
  remove(id: string): OutboxOp | undefined;
  /** Swaps in a newer copy of a queued op (a new attempt count); false when it is gone. */
  replace(op: OutboxOp): boolean;
  has(id: string): boolean;
  /** The ops of one scope, in send order (a live view: do not keep it across awaits). */
  ofScope(scope: string): readonly OutboxOp[];
  /** The scopes that have ops. */
  scopes(): string[];
  /** Every op, in send order. */
  all(): OutboxOp[];
}

/** Creates an empty {@link OutboxQueue}. */
export function createOutboxQueue(): OutboxQueue {
  const byScope = new Map<string, OutboxOp[]>();
  const byId = new Map<string, OutboxOp>();
  const none: readonly OutboxOp[] = [];

  const indexIn = (id: string): { list: OutboxOp[]; index: number } | undefined => {
    const op = byId.get(id);
    const list = op === undefined ? undefined : byScope.get(op.scope);
    if (list === undefined) return undefined;
    // Ops settle from the head of their scope: the search is short in practice.
    const index = list.findIndex((o) => o.id === id);
    return index < 0 ? undefined : { list, index };
  };

  return {
    get size() {
      return byId.size;
    },
    insert(ops) {
      const fresh = ops.filter((op) => !byId.has(op.id));
      const touched = new Set<OutboxOp[]>();
      for (const op of fresh) {
        byId.set(op.id, op);
        let list = byScope.get(op.scope);
        if (list === undefined) byScope.set(op.scope, (list = []));
        // Appending in order (the common case) keeps the list sorted without a sort.
        const last = list[list.length - 1];
        if (last !== undefined && compareOps(last, op) > 0) touched.add(list);
        list.push(op);
      }
      for (const list of touched) list.sort(compareOps);
      return fresh;
    },
    remove(id) {
      const found = indexIn(id);
      if (found === undefined) return undefined;
      const [op] = found.list.splice(found.index, 1);
      byId.delete(id);
      if (found.list.length === 0) byScope.delete(op!.scope);
      return op;
    },
    replace(op) {
      const found = indexIn(op.id);
      if (found === undefined) return false;
      found.list[found.index] = op;
      byId.set(op.id, op);
      return true;
    },
    has: (id) => byId.has(id),
    ofScope: (scope) => byScope.get(scope) ?? none,
    scopes: () => [...byScope.keys()],
    all: () => [...byScope.values()].flat().sort(compareOps),
  };
}
