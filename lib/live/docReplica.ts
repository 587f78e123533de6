import type { ValueCheck } from './valueCheck.js';
import { Subject, type Observable } from 'rxjs';
import { signal, type ReadonlySignal, type WritableSignal } from '../signals/signal.js';
import { docKindFor, type DocKind, type DocStates, type DocType, type DocValues } from '../crdt/docTypes.js';
import type { Hlc } from '../crdt/hlc.js';
import type { RxSyncError } from '../errors.js';
import { mergeCrdt } from '../../operators/mergeCrdt.js';

/** How a replica merges remote states: the client's clock (drift policy) and where refusals go. */
export interface ReplicaMergeOptions {
  readonly clock?: Hlc;
  /** Told about each refused remote state (far-future stamp, malformed, failing the schema). */
  readonly onReject?: (error: RxSyncError) => void;
}

/** Builds the replica of a document type that keeps its state its own way (`yjs`: a `Y.Doc`). */
export type ReplicaFactory = (options: ReplicaMergeOptions) => DocReplica<DocType>;

const replicaFactories = new Map<DocType, ReplicaFactory>();

/** Registers the replica of an optional document type (done by `liveDocuments.with(...)`). */
export function registerReplica(type: DocType, factory: ReplicaFactory): void {
  replicaFactories.set(type, factory);
}

/** A replica of `type`: its own kind when one is registered, else the generic one. */
export function createReplica<T extends DocType>(type: T, options: ReplicaMergeOptions = {}): DocReplica<T> {
  const factory = replicaFactories.get(type);
  return (factory === undefined ? new DocReplica<DocType>(type, options) : factory(options)) as unknown as DocReplica<T>;
}

/**
 * One document as this replica knows it: `base` is everything the hub confirmed (snapshot, ops it
 * broadcast, our ops it acked), `pending` our own edits it has not acked yet, keyed by op id.
 * What the app sees is `base ⊕ pending`; since merge is commutative and idempotent it is kept up to
 * date incrementally, and rebuilt only when a pending edit is withdrawn (its enqueue failed).
 *
 * Confirmed states go through `mergeCrdt(kind, { clock, validate, onReject })`, the operator an app
 * would use: remote states are decoded, checked against the schema and the clock's drift, and only
 * then merged. Our own acknowledged edits and restored state join the same fold as trusted input
 * (checked when they were made), so the schema always sees the whole document.
 */
export class DocReplica<T extends DocType> {
  readonly kind: DocKind<DocStates[T], DocValues[T]>;
  private base: DocStates[T];
  private view: DocStates[T];
  private readonly pending = new Map<string, DocStates[T]>();
  private readonly valueSignal: WritableSignal<DocValues[T]>;
  private readonly stateSignal: WritableSignal<DocStates[T]>;
  private readonly pendingSignal = signal(0);
  private readonly confirmations = new Subject<unknown>();
  private readonly acks = new Subject<string>();
  /** States that skip decoding and the schema: ours, or read back from our own storage. */
  private readonly trusted = new WeakSet<object>();
  private check: ValueCheck | undefined;

  constructor(
    readonly type: T,
    options: ReplicaMergeOptions = {},
  ) {
    this.kind = docKindFor(type);
    this.base = this.kind.create();
    this.view = this.base;
    this.valueSignal = signal(this.kind.value(this.view));
    this.stateSignal = signal(this.view);
    const { clock, onReject } = options;
    this.confirmations
      .pipe(
        mergeCrdt(this.kind, {
          ...(clock === undefined ? {} : { clock }),
          decode: (payload) => (this.isTrusted(payload) ? (payload as DocStates[T]) : this.kind.decode(payload)),
          validate: (value, payload) => (this.check === undefined || this.isTrusted(payload) ? undefined : this.check(value)),
          onReject: (error) => onReject?.(error),
        }),
      )
      .subscribe((confirmed) => this.merged(confirmed));
  }

  /** Checks remote values from now on (a problem refuses the state: `E_SCHEMA_REJECTED`). */
  validateWith(check: ValueCheck | undefined): void {
    this.check = check;
  }

  /**
   * A state the hub sent (snapshot entry or broadcast op, encoded JSON, opened if it was sealed):
   * merged unless it is malformed, stamped too far in the future or refused by the schema.
   */
  receive(encoded: unknown): void {
    this.confirmations.next(encoded);
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

  /** Merges a trusted confirmed state (restored from our storage), skipping the checks. */
  confirm(state: DocStates[T]): void {
    this.trusted.add(state as object);
    this.confirmations.next(state);
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

  /** The op id of each of our edits as the hub acknowledges it. */
  get acknowledged$(): Observable<string> {
    return this.acks;
  }

  /** The hub has the edit: it becomes part of the confirmed state. */
  acknowledge(key: string): void {
    const delta = this.pending.get(key);
    if (delta === undefined) return;
    this.pending.delete(key);
    this.pendingSignal.set(this.pending.size);
    this.acks.next(key);
    // At once, even while an asynchronous schema check holds the fold back; the fold learns it too.
    this.base = this.kind.merge(this.base, delta);
    this.trusted.add(delta as object);
    this.confirmations.next(delta);
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

  private isTrusted(payload: unknown): boolean {
    return typeof payload === 'object' && payload !== null && this.trusted.has(payload);
  }

  /** The fold of every confirmed state moved on. */
  private merged(confirmed: DocStates[T]): void {
    this.base = this.kind.merge(this.base, confirmed);
    this.show(this.kind.merge(this.view, confirmed));
  }

  private show(view: DocStates[T]): void {
    if (view === this.view) return;
    this.view = view;
    this.stateSignal.set(view);
    this.valueSignal.set(this.kind.value(view));
  }
}
