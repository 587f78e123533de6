import type { Json } from '../../crdt/json.js';
import * as mvRegister from '../../crdt/mvRegister.js';
import type { Sibling } from '../../crdt/mvRegister.js';
import type { ReadonlySignal } from '../../signals/signal.js';
import { LiveDocument, type DocParts, type LiveDocBase } from './liveDocument.js';

/** One value that keeps concurrent writes side by side (`conflicts$`) until a write resolves them. */
export interface LiveMultiValue<V = Json> extends LiveDocBase<'mv-register', V | undefined, readonly Sibling<V>[]> {
  /** Writes `value`, replacing every sibling this replica has seen: this is how a conflict is resolved. */
  set(value: V): Promise<void>;
}

const sameSiblings = (a: readonly Sibling<unknown>[], b: readonly Sibling<unknown>[]): boolean =>
  a.length === b.length && a.every((s, i) => s.stamp === b[i]?.stamp);

/** The {@link LiveMultiValue} implementation: edits are `mvRegister` writes over the current siblings. */
export class LiveMultiValueDoc<V> extends LiveDocument<'mv-register', V | undefined, readonly Sibling<V>[]> implements LiveMultiValue<V> {
  constructor(parts: DocParts<'mv-register'>) {
    // Typed as the app's value, like value$ (the schema, when given, vouches for it).
    const conflicts = parts.replica.state$.select((s) => mvRegister.conflicts(s), { equals: sameSiblings });
    super(parts, conflicts as ReadonlySignal<readonly Sibling<Json>[]> as unknown as ReadonlySignal<readonly Sibling<V>[]>);
  }

  async set(value: V): Promise<void> {
    const next = this.json(value);
    return this.edit((state) => mvRegister.set(state, next, this.clock.tick()));
  }
}
