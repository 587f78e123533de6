import type { Json } from '../../crdt/json.js';
import type { Sibling } from '../../crdt/mvRegister.js';
import * as orSet from '../../crdt/orSet.js';
import { LiveDocument, type DocParts, type LiveDocBase } from './liveDocument.js';
import { noConflicts } from './noConflicts.js';

/** A set of strings (`E`, e.g. a union of tags) where a concurrent add wins over a remove. */
export interface LiveSet<E extends string = string> extends LiveDocBase<'or-set', readonly E[]> {
  add(element: E): Promise<void>;
  remove(element: E): Promise<void>;
}

/** The {@link LiveSet} implementation: edits are `orSet` deltas since the current version. */
export class LiveSetDoc<E extends string> extends LiveDocument<'or-set', readonly E[], readonly Sibling<Json>[]> implements LiveSet<E> {
  constructor(parts: DocParts<'or-set'>) {
    super(parts, noConflicts);
  }

  async add(element: E): Promise<void> {
    const name = this.key(element);
    return this.edit((before) => orSet.delta(orSet.add(before, name, this.clock.tick()), orSet.version(before)));
  }

  async remove(element: E): Promise<void> {
    const name = this.key(element);
    return this.edit((before) => orSet.delta(orSet.remove(before, name, this.clock.tick()), orSet.version(before)));
  }
}
