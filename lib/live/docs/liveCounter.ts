import type { Json } from '../../crdt/json.js';
import type { Sibling } from '../../crdt/mvRegister.js';
import * as pnCounter from '../../crdt/pnCounter.js';
import { LiveDocument, type DocParts, type LiveDocBase } from './liveDocument.js';
import { noConflicts } from './noConflicts.js';

/** A counter that several clients change concurrently. */
export interface LiveCounter extends LiveDocBase<'pn-counter', number> {
  add(amount: number): Promise<void>;
}

/** The {@link LiveCounter} implementation: edits are this node's `pnCounter` entries. */
export class LiveCounterDoc extends LiveDocument<'pn-counter', number, readonly Sibling<Json>[]> implements LiveCounter {
  constructor(parts: DocParts<'pn-counter'>) {
    super(parts, noConflicts);
  }

  async add(amount: number): Promise<void> {
    if (typeof amount !== 'number') throw this.invalid('add needs a number');
    return this.edit((before) => pnCounter.delta(pnCounter.add(before, this.clock.nodeId, amount), before));
  }
}
