import type { Json } from '../../crdt/json.js';
import * as mvMap from '../../crdt/mvMap.js';
import type { Sibling } from '../../crdt/mvRegister.js';
import { applyRecipe, type Recipe } from '../../signals/recipe.js';
import type { ReadonlySignal } from '../../signals/signal.js';
import { changedFields, type FieldsOf, type MapValue } from './recordFields.js';
import { LiveDocument, type DocParts, type LiveDocBase } from './liveDocument.js';

/** The fields of `V` holding concurrent values, each with its siblings (oldest first). */
export type FieldConflicts<V> = { readonly [K in FieldsOf<V>]?: readonly Sibling<V[K]>[] };

/**
 * A record whose fields each keep concurrent writes side by side: `conflicts$` lists only the
 * fields in conflict, so a form can show them and resolve them one by one (`resolve`). Until
 * resolved, a field shows its newest sibling.
 */
export interface LiveMvMap<V extends object = Record<string, Json>> extends LiveDocBase<'mv-map', MapValue<V>, FieldConflicts<V>> {
  /** Writes a field, replacing every sibling of it this replica has seen. */
  set<K extends FieldsOf<V>>(field: K, value: V[K]): Promise<void>;
  /** Removes a field (replacing the siblings seen). */
  remove(field: FieldsOf<V>): Promise<void>;
  /** An immer recipe over the fields; changed fields are written, deleted ones removed. */
  update(recipe: Recipe<Partial<V>>): Promise<void>;
  /** Resolves a field's conflict with `value` (for everyone): the same as `set`. */
  resolve<K extends FieldsOf<V>>(field: K, value: V[K]): Promise<void>;
}

const sameConflicts = (
  a: Readonly<Record<string, readonly Sibling<Json>[]>>,
  b: Readonly<Record<string, readonly Sibling<Json>[]>>,
): boolean => {
  const names = Object.keys(a);
  return (
    names.length === Object.keys(b).length &&
    names.every((name) => {
      const x = a[name] as readonly Sibling<Json>[];
      const y = b[name];
      return y !== undefined && x.length === y.length && x.every((s, i) => s.stamp === y[i]?.stamp);
    })
  );
};

/** The {@link LiveMvMap} implementation: edits are `mvMap` field deltas. */
export class LiveMvMapDoc<V extends object> extends LiveDocument<'mv-map', MapValue<V>, FieldConflicts<V>> implements LiveMvMap<V> {
  constructor(parts: DocParts<'mv-map'>) {
    const conflicts = parts.replica.state$.select((s) => mvMap.conflicts(s), { equals: sameConflicts });
    // Typed as the app's record, like value$ (the schema, when given, vouches for it).
    super(parts, conflicts as unknown as ReadonlySignal<FieldConflicts<V>>);
  }

  async set<K extends FieldsOf<V>>(field: K, value: V[K]): Promise<void> {
    const name = this.key(field);
    const json = this.json(value, `field ${JSON.stringify(name)}`);
    return this.edit((state) => mvMap.set(state, name, json, this.clock.tick()));
  }

  async remove(field: FieldsOf<V>): Promise<void> {
    const name = this.key(field);
    return this.edit((state) => mvMap.remove(state, name, this.clock.tick()));
  }

  resolve<K extends FieldsOf<V>>(field: K, value: V[K]): Promise<void> {
    return this.set(field, value);
  }

  async update(recipe: Recipe<Partial<V>>): Promise<void> {
    const current = this.get() as Partial<V>; // MapValue<V> is Partial<V> or, untyped, the same record
    const { written, removed } = changedFields(current, applyRecipe(current, recipe));
    if (written.length === 0 && removed.length === 0) return;
    for (const [name, value] of written) this.json(value, `field ${JSON.stringify(name)}`);
    return this.edit((state) => {
      let delta = mvMap.create<Json>();
      for (const [name, value] of written) delta = mvMap.merge(delta, mvMap.set(state, name, value as Json, this.clock.tick()));
      for (const name of removed) delta = mvMap.merge(delta, mvMap.remove(state, name, this.clock.tick()));
      return delta;
    });
  }
}
