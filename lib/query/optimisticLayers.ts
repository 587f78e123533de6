import { applyPatches, produce, type Draft, type Patch } from 'immer';
import type { Outbox } from '../outbox/outbox.js';
import type { OutboxOp } from '../outbox/outboxOp.js';
import type { QueryCache } from './queryCache.js';
import type { QueryEntry } from './queryEntry.js';
import { hashQueryKey, type HashedKey, type QueryKey } from './queryKey.js';

/** An optimistic change: which query it targets and how it changes the data. */
export interface OptimisticRecipe {
  readonly key: QueryKey | ((variables: unknown) => QueryKey);
  readonly update: (draft: Draft<unknown>, variables: unknown) => void;
}

/** One outstanding change over a key: its op (id set once queued) and how it applies. */
export interface Pending {
  id: string | undefined;
  readonly apply: (data: unknown) => unknown;
}

/** A key with outstanding optimistic changes: the confirmed data and the changes over it, in order. */
interface Layer {
  base: unknown;
  pending: Pending[];
}

/** Rollback patches recorded with an op (fall-back for ops queued before a reload). */
type RollbackRecord = ReadonlyArray<{ readonly key: QueryKey; readonly patches: Patch[] }>;

/**
 * @internal What the cache shows for a key with optimistic changes is always one thing: the
 * confirmed data (fetched, set, or acked) with the outstanding changes laid over it, in queue
 * order. A refetch replaces the confirmed data, an ack folds its change into it, a refusal drops
 * its change — and the key is recomputed. So a refused change disappears exactly, even when a
 * later change touched the same field (inverse patches cannot do that).
 */
export class OptimisticLayers {
  private readonly layers = new Map<string, Layer>();

  constructor(
    private readonly cache: QueryCache,
    private readonly outbox: Outbox,
    /** Optimistic recipes by mutation name (for ops queued before a reload). */
    private readonly recipesOf: (name: string) => readonly OptimisticRecipe[],
    /** Reads the rollback recorded with an op. */
    private readonly rollbackOf: (op: OutboxOp) => RollbackRecord,
  ) {}

  /**
   * Shows a change at once (`next` is `recipe` applied to what the entry shows now); returns its
   * handle, which gets the op id once queued.
   */
  add(entry: QueryEntry<unknown>, recipe: (data: unknown) => unknown, next: unknown): Pending {
    let layer = this.layers.get(entry.key.hash);
    if (layer === undefined) {
      layer = { base: this.unwind(entry.key, entry.state.get().data), pending: [] };
      this.layers.set(entry.key.hash, layer);
    }
    const pending: Pending = { id: undefined, apply: guarded(recipe) };
    layer.pending.push(pending);
    if (next !== entry.state.get().data) entry.dispatch({ type: 'setData', data: next, at: this.cache.now() });
    return pending;
  }

  /** Confirmed data arrived for `key` (fetch or `setData`): returns what to show over it. */
  confirm(key: HashedKey, data: unknown): unknown {
    if (data === undefined) return data;
    const layer = this.layers.get(key.hash) ?? { base: data, pending: [] };
    layer.base = data;
    const shown = this.show(key, layer);
    if (layer.pending.length > 0 || shown !== data) this.layers.set(key.hash, layer);
    else this.layers.delete(key.hash);
    return shown;
  }

  /** The confirmed data under a key's outstanding changes, if it has any. */
  confirmed(key: HashedKey): unknown {
    return this.layers.get(key.hash)?.base;
  }

  /** An op was accepted: its changes become confirmed. */
  acked(op: OutboxOp): void {
    for (const hash of this.targetsOf(op)) {
      const layer = this.layers.get(hash);
      if (layer === undefined) continue;
      const mine = layer.pending.filter((p) => p.id === op.id);
      const inOrder = mine.length > 0 && layer.pending.slice(0, mine.length).every((p) => p.id === op.id);
      if (mine.length > 0) for (const p of mine) layer.base = p.apply(layer.base);
      else for (const recipe of this.recipesOf(op.name)) layer.base = this.applyOp(op, recipe, hash, layer.base);
      layer.pending = layer.pending.filter((p) => p.id !== op.id);
      // Acked at the front: base + the rest is what is shown already, no recompute.
      if (!inOrder || layer.pending.length === 0) this.refresh(hash, layer);
    }
  }

  /**
   * An op was refused (dead-lettered), or changes were never queued: they are dropped and the keys
   * they touched are recomputed from their confirmed data.
   */
  dropped(op: OutboxOp | Pending[]): void {
    if (Array.isArray(op)) {
      for (const [hash, layer] of this.layers) {
        const before = layer.pending.length;
        layer.pending = layer.pending.filter((p) => !op.includes(p));
        if (layer.pending.length !== before) this.refresh(hash, layer);
      }
      return;
    }
    let found = false;
    for (const hash of this.targetsOf(op)) {
      const layer = this.layers.get(hash);
      if (layer === undefined) continue;
      found = true;
      layer.pending = layer.pending.filter((p) => p.id !== op.id);
      this.refresh(hash, layer);
    }
    if (!found) this.rollBack(this.rollbackOf(op));
  }

  /** The key hashes an op's optimistic recipes target. */
  private targetsOf(op: OutboxOp): Set<string> {
    const hashes = new Set<string>();
    for (const recipe of this.recipesOf(op.name)) hashes.add(hashQueryKey(targetOf(recipe, op)).hash);
    return hashes;
  }

  /** Applies an op's recipe to `data` if it targets `hash`. */
  private applyOp(op: OutboxOp, recipe: OptimisticRecipe, hash: string, data: unknown): unknown {
    if (hashQueryKey(targetOf(recipe, op)).hash !== hash) return data;
    return guarded((d) => produce(d, (draft) => recipe.update(draft, op.payload)))(data);
  }

  /** Shows base + outstanding changes for a key, and forgets the layer once nothing is outstanding. */
  private refresh(hash: string, layer: Layer): void {
    const entry = this.cache.get<unknown>(hash);
    if (entry === undefined) {
      this.layers.delete(hash);
      return;
    }
    const shown = this.show(entry.key, layer);
    if (layer.pending.length === 0 && shown === layer.base) this.layers.delete(hash);
    if (shown !== entry.state.get().data) entry.dispatch({ type: 'setData', data: shown, at: this.cache.now() });
  }

  /** base + changes of ops queued before a reload (not held here) + this session's, in order. */
  private show(key: HashedKey, layer: Layer): unknown {
    let data = layer.base;
    const ops = this.outbox.pendingOps();
    if (ops.length > 0) {
      const own = new Set(layer.pending.map((p) => p.id));
      for (const op of ops) {
        if (own.has(op.id)) continue;
        for (const recipe of this.recipesOf(op.name)) data = this.applyOp(op, recipe, key.hash, data);
      }
    }
    for (const p of layer.pending) data = p.apply(data);
    return data;
  }

  /** The confirmed data under `data`: ops queued before a reload undone with their recorded patches. */
  private unwind(key: HashedKey, data: unknown): unknown {
    let base = data;
    for (const op of [...this.outbox.pendingOps()].reverse()) {
      for (const { key: target, patches } of this.rollbackOf(op)) {
        if (hashQueryKey(target).hash !== key.hash) continue;
        try {
          base = applyPatches(base as object, patches);
        } catch {
          // Shape changed since: keep what we have.
        }
      }
    }
    return base;
  }

  /** Fall-back for an op queued before a reload and refused now: undo its recorded patches. */
  private rollBack(rollback: RollbackRecord): void {
    for (const { key, patches } of [...rollback].reverse()) {
      const entry = this.cache.get<unknown>(hashQueryKey(key));
      const current = entry?.state.get().data;
      if (entry === undefined || current === undefined) continue;
      try {
        entry.dispatch({ type: 'setData', data: applyPatches(current as object, patches), at: this.cache.now() });
      } catch {
        // The data changed shape since (e.g. refetched without the item): nothing left to undo.
      }
    }
  }
}

function targetOf(recipe: OptimisticRecipe, op: OutboxOp): QueryKey {
  return typeof recipe.key === 'function' ? recipe.key(op.payload) : recipe.key;
}

/** A recipe that leaves the data as it is when it no longer fits (e.g. the item was removed). */
function guarded(recipe: (data: unknown) => unknown): (data: unknown) => unknown {
  return (data) => {
    try {
      return recipe(data);
    } catch {
      return data;
    }
  };
}
