import type { Json } from '../../crdt/json.js';
import * as lwwRegister from '../../crdt/lwwRegister.js';
import type { Sibling } from '../../crdt/mvRegister.js';
import { LiveDocument, type DocParts, type LiveDocBase } from './liveDocument.js';
import { noConflicts } from './noConflicts.js';

/** One value, last writer wins (`undefined` until someone writes it). */
export interface LiveRegister<V = Json> extends LiveDocBase<'lww-register', V | undefined> {
  set(value: V): Promise<void>;
  update(fn: (current: V | undefined) => V): Promise<void>;
}

/** The {@link LiveRegister} implementation: edits are `lwwRegister` writes. */
export class LiveRegisterDoc<V> extends LiveDocument<'lww-register', V | undefined, readonly Sibling<Json>[]> implements LiveRegister<V> {
  constructor(parts: DocParts<'lww-register'>) {
    super(parts, noConflicts);
  }

  async set(value: V): Promise<void> {
    const next = this.json(value);
    return this.edit(() => lwwRegister.set(lwwRegister.create<Json>(), next, this.clock.tick()));
  }

  async update(fn: (current: V | undefined) => V): Promise<void> {
    return this.set(fn(this.get()));
  }
}
