import { applyPatches, produce, type Draft, type Patch } from 'immer';
import type { Outbox } from '../outbox/outbox.js';
import type { OutboxOp } from '../outbox/outboxOp.js';
import type { QueryCache } from './queryCache.js';
import type { QueryEntry } from './queryEntry.js';
import { hashQueryKey, queryKeyHash, type HashedKey, type QueryKey } from './queryKey.js';

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

/** Rollback patches recorded with an op (to find the confirmed data after a reload). */
type RollbackRecord = ReadonlyArray<{ readonly key: QueryKey; readonly patches: Patch[] }>;

/** @internal See {@link createOptimisticLayers}. */
export interface OptimisticLayers {
  /** Shows a change at once (`next`: `recipe` over what the entry shows); its handle gets the op id once queued. */
  add(entry: QueryEntry<unknown>, recipe: (data: unknown) => unknown, next: unknown): Pending;
  /** Confirmed data arrived for `key` (fetch or `setData`): returns what to show over it. */
  confirm(key: HashedKey, data: unknown): unknown;
  /** The confirmed data under a key's outstanding changes, if it has any. */
  confirmed(key: HashedKey): unknown;
  /** An op was accepted: its changes become confirmed. */
  acked(op: OutboxOp): void;
  /** An op was refused (dead-lettered), or changes were never queued: they are dropped. */
  dropped(op: OutboxOp | Pending[]): void;
  /** The keys (hashes) an op's optimistic recipes change. */
  targets(op: OutboxOp): ReadonlySet<string>;
  /** How many of this session's changes over a key are still outstanding. */
  outstanding(hash: string): number;
}

/**
 * @internal What the cache shows for a key with optimistic changes is always one thing: the
 * confirmed data (fetched, set, or acked) with the outstanding changes laid over it, in queue
 * order. A refetch replaces the confirmed data, an ack folds its change into it, a refusal drops
 * its change — and the key is recomputed. So a refused change disappears exactly, even when a
 * later change touched the same field (inverse patches cannot do that).
 */
export function createOptimisticLayers(
  cache: QueryCache,
  outbox: Outbox,
  /** Optimistic recipes by mutation name (also for ops queued before a reload). */
  recipesOf: (name: string) => readonly OptimisticRecipe[],
  rollbackOf: (op: OutboxOp) => RollbackRecord,
): OptimisticLayers {
  /** Per key hash: the confirmed data and this session's outstanding changes over it, in order. */
  const layers = new Map<string, { base: unknown; pending: Pending[] }>();
  type Layer = typeof layers extends Map<string, infer L> ? L : never;

  const targetOf = (recipe: OptimisticRecipe, op: OutboxOp): string =>
    hashQueryKey(typeof recipe.key === 'function' ? recipe.key(op.payload) : recipe.key).hash;
  const targetsOf = (op: OutboxOp): Set<string> => new Set(recipesOf(op.name).map((r) => targetOf(r, op)));
  const applyOp = (op: OutboxOp, hash: string, data: unknown): unknown => {
    for (const recipe of recipesOf(op.name)) {
      if (targetOf(recipe, op) === hash) data = guarded((d) => produce(d, (draft) => recipe.update(draft, op.payload)))(data);
    }
    return data;
  };

  /** base + changes of ops queued before a reload (not held here) + this session's, in order. */
  const show = (hash: string, layer: Layer): unknown => {
    let data = layer.base;
    const own = new Set(layer.pending.map((p) => p.id));
    for (const op of outbox.pendingOps()) if (!own.has(op.id)) data = applyOp(op, hash, data);
    for (const p of layer.pending) data = p.apply(data);
    return data;
  };

  /** Shows base + outstanding changes, and forgets the layer once nothing is outstanding. */
  const refresh = (hash: string, layer: Layer): void => {
    const entry = cache.get<unknown>(hash);
    const shown = entry === undefined ? undefined : show(hash, layer);
    if (entry === undefined || (layer.pending.length === 0 && shown === layer.base)) layers.delete(hash);
    if (entry !== undefined && shown !== entry.current.data) entry.dispatch({ type: 'setData', data: shown, at: cache.now() });
  };

  /** The confirmed data under `data`: ops queued before a reload (and `refused`) undone with their recorded patches. */
  const unwind = (hash: string, data: unknown, refused?: OutboxOp): unknown => {
    const ops = refused === undefined ? outbox.pendingOps() : [refused, ...outbox.pendingOps()];
    for (const op of [...ops].reverse()) {
      for (const { key, patches } of rollbackOf(op)) {
        if (queryKeyHash(key) === hash) data = guarded((d) => applyPatches(d as object, patches))(data);
      }
    }
    return data;
  };

  return {
    add(entry, recipe, next) {
      const hash = entry.key.hash;
      let layer = layers.get(hash);
      if (layer === undefined) layers.set(hash, (layer = { base: unwind(hash, entry.current.data), pending: [] }));
      const pending: Pending = { id: undefined, apply: guarded(recipe) };
      layer.pending.push(pending);
      if (next !== entry.current.data) entry.dispatch({ type: 'setData', data: next, at: cache.now() });
      return pending;
    },

    confirm(key, data) {
      if (data === undefined) return data;
      const layer = layers.get(key.hash) ?? { base: data, pending: [] };
      layer.base = data;
      const shown = show(key.hash, layer);
      if (layer.pending.length > 0 || shown !== data) layers.set(key.hash, layer);
      else layers.delete(key.hash);
      return shown;
    },

    confirmed: (key) => layers.get(key.hash)?.base,

    targets: targetsOf,

    outstanding: (hash) => layers.get(hash)?.pending.length ?? 0,

    acked(op) {
      for (const hash of targetsOf(op)) {
        const layer = layers.get(hash);
        if (layer === undefined) continue;
        const mine = layer.pending.filter((p) => p.id === op.id);
        const inOrder = mine.length > 0 && layer.pending.slice(0, mine.length).every((p) => p.id === op.id);
        layer.base = mine.length > 0 ? mine.reduce((data, p) => p.apply(data), layer.base) : applyOp(op, hash, layer.base);
        layer.pending = layer.pending.filter((p) => p.id !== op.id);
        // Acked at the front: base + the rest is what is shown already, no recompute.
        if (!inOrder || layer.pending.length === 0) refresh(hash, layer);
      }
    },

    dropped(op) {
      if (Array.isArray(op)) {
        for (const [hash, layer] of layers) {
          const before = layer.pending.length;
          layer.pending = layer.pending.filter((p) => !op.includes(p));
          if (layer.pending.length !== before) refresh(hash, layer);
        }
        return;
      }
      for (const hash of targetsOf(op)) {
        let layer = layers.get(hash);
        if (layer === undefined) {
          // Queued before a reload: find the confirmed data under it from the recorded patches.
          const data = cache.get<unknown>(hash)?.current.data;
          if (data === undefined) continue;
          layers.set(hash, (layer = { base: unwind(hash, data, op), pending: [] }));
        }
        layer.pending = layer.pending.filter((p) => p.id !== op.id);
        refresh(hash, layer);
      }
    },
  };
}

/** A change that leaves the data as it is when it no longer fits (e.g. the item was removed). */
function guarded(recipe: (data: unknown) => unknown): (data: unknown) => unknown {
  return (data) => {
    try {
      return recipe(data);
    } catch {
      return data;
    }
  };
}
