import type { Json } from '../../crdt/json.js';
import * as lwwMap from '../../crdt/lwwMap.js';
import type { Sibling } from '../../crdt/mvRegister.js';
import { applyRecipe, type Recipe } from '../../signals/recipe.js';
import { LiveDocument, type DocParts, type LiveDocBase } from './liveDocument.js';
import { noConflicts } from './noConflicts.js';
import { changedFields, type FieldsOf, type MapValue } from './recordFields.js';

/**
 * A map of fields, each last-writer-wins; `V` is the shape of the record (its value is
 * `Partial<V>`: a document nobody wrote yet is `{}`). Edits resolve once durable in the outbox
 * (they are visible at once and reach the hub when online).
 */
export interface LiveMap<V extends object = Record<string, Json>> extends LiveDocBase<'lww-map', MapValue<V>> {
  set<K extends FieldsOf<V>>(key: K, value: V[K]): Promise<void>;
  remove(key: FieldsOf<V>): Promise<void>;
  /** An immer recipe over the fields; changed fields are written, deleted ones removed. */
  update(recipe: Recipe<Partial<V>>): Promise<void>;
}

/** The {@link LiveMap} implementation: edits are `lwwMap` deltas. */
export class LiveMapDoc<V extends object> extends LiveDocument<'lww-map', MapValue<V>, readonly Sibling<Json>[]> implements LiveMap<V> {
  constructor(parts: DocParts<'lww-map'>) {
    super(parts, noConflicts);
  }

  async set<K extends FieldsOf<V>>(key: K, value: V[K]): Promise<void> {
    const field = this.key(key);
    const json = this.json(value, `field ${JSON.stringify(field)}`);
    return this.edit(() => lwwMap.set(lwwMap.create<Json>(), field, json, this.clock.tick()));
  }

  async remove(key: FieldsOf<V>): Promise<void> {
    const field = this.key(key);
    return this.edit(() => lwwMap.remove(lwwMap.create<Json>(), field, this.clock.tick()));
  }

  async update(recipe: Recipe<Partial<V>>): Promise<void> {
    const current = this.get() as Partial<V>; // MapValue<V> is Partial<V> or, untyped, the same record
    const { written, removed } = changedFields(current, applyRecipe(current, recipe));
    if (written.length === 0 && removed.length === 0) return;
    for (const [name, value] of written) this.json(value, `field ${JSON.stringify(name)}`);
    return this.edit(() => {
      const stamp = this.clock.tick();
      let delta = lwwMap.setMany(lwwMap.create<Json>(), written as [string, Json][], stamp);
      for (const name of removed) delta = lwwMap.remove(delta, name, stamp);
      return delta;
    });
  }
}
