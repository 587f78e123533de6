import type { Json } from '../../crdt/json.js';
import type { Sibling } from '../../crdt/mvRegister.js';
import { signal, type ReadonlySignal } from '../../signals/signal.js';

/** The `conflicts$` of document types that never keep concurrent values. */
export const noConflicts: ReadonlySignal<readonly Sibling<Json>[]> = /* @__PURE__ */ signal<readonly Sibling<Json>[]>([]);
