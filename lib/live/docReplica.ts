import { signal, type ReadonlySignal, type WritableSignal } from '../signals/signal.js';
import { docKinds, type DocKind, type DocStates, type DocType, type DocValues } from '../crdt/docTypes.js';

/**
 * One document as this replica knows it: `base` is everything the hub confirmed (snapshot, ops it
 * broadcast, our ops it acked), `pending` our own edits it has not acked yet, keyed by op id.
 * What the app sees is `base ⊕ pending`; since merge is commutative and idempotent it is kept up to
 * date incrementally, and rebuilt only when a pending edit is withdrawn (its enqueue failed).
 */
export class DocReplica<T extends DocType> {
  readonly kind: DocKind<DocStates[T], DocValues[T]>;
  private base: DocStates[T];
  private view: DocStates[T];
  private readonly pending = new Map<string, DocStates[T]>();
  private readonly valueSignal: WritableSignal<DocValues[T]>;
  private readonly stateSignal: WritableSignal<DocStates[T]>;
  private readonly pendingSignal = signal(0);

  constructor(readonly type: T) {
    this.kind = docKinds[type] as unknown as DocKind<DocStates[T], DocValues[T]>;
    this.base = this.kind.create();
    this.view = this.base;
    this.valueSignal = signal(this.kind.value(this.view));
    this.stateSignal = signal(this.view);
  }

  /** The merged value the app shows. */
  get value$(): ReadonlySignal<DocValues[T]> {
    return this.valueSignal;
  }

  /** The merged CRDT state (for edits that depend on it, and for conflict views). */
  get state$(): ReadonlySignal<DocStates[T]> {
    return this.stateSignal;
  }

  /** How many of our edits the hub has not acknowledged yet. */
  get pending$(): ReadonlySignal<number> {
    return this.pendingSignal;
  }

  get state(): DocStates[T] {
    return this.view;
  }

  /** What the hub confirmed, without our pending edits (what a saved replica holds). */
  get confirmed(): DocStates[T] {
    return this.base;
  }

  /** Merges state the hub confirmed (a broadcast op or a snapshot). */
  confirm(state: DocStates[T]): void {
    this.base = this.kind.merge(this.base, state);
    this.show(this.kind.merge(this.view, state));
  }

  /** Applies one of our edits at once; it stays pending until {@link acknowledge}. */
  propose(key: string, delta: DocStates[T]): void {
    const previous = this.pending.get(key);
    this.pending.set(key, previous === undefined ? delta : this.kind.merge(previous, delta));
    this.pendingSignal.set(this.pending.size);
    this.show(this.kind.merge(this.view, delta));
  }

  /** Renames a pending edit (from its provisional key to the outbox op id). */
  rekey(from: string, to: string): void {
    const delta = this.pending.get(from);
    if (delta === undefined) return;
    this.pending.delete(from);
    this.pending.set(to, delta);
  }

  /** The hub has the edit: it becomes part of the confirmed state. */
  acknowledge(key: string): void {
    const delta = this.pending.get(key);
    if (delta === undefined) return;
    this.pending.delete(key);
    this.pendingSignal.set(this.pending.size);
    this.base = this.kind.merge(this.base, delta);
  }

  /** Drops an edit that never became durable, and shows the state without it. */
  withdraw(key: string): void {
    if (!this.pending.delete(key)) return;
    this.pendingSignal.set(this.pending.size);
    let view = this.base;
    for (const delta of this.pending.values()) view = this.kind.merge(view, delta);
    this.show(view);
  }

  hasPending(key: string): boolean {
    return this.pending.has(key);
  }

  private show(view: DocStates[T]): void {
    if (view === this.view) return;
    this.view = view;
    this.stateSignal.set(view);
    this.valueSignal.set(this.kind.value(view));
  }
}
