import { combineLatest, map, type Observable, type Subscription } from 'rxjs';
import type { Hlc } from '../../crdt/hlc.js';
import { assertJson, type Json } from '../../crdt/json.js';
import type { Sibling } from '../../crdt/mvRegister.js';
import type { DocKind, DocStates, DocType, DocValues } from '../../crdt/docTypes.js';
import { RxSyncError } from '../../errors.js';
import type { Outbox } from '../../outbox/outbox.js';
import type { PeerPresence } from '../../protocol/hubMessages.js';
import type { QueryState } from '../../query/queryState.js';
import type { ReadonlySignal } from '../../signals/signal.js';
import type { DocReplica } from '../docReplica.js';
import { LIVE_OP, liveScope, type LiveOpPayload } from '../liveOp.js';
import { opContext } from '../liveCodec.js';
import type { LiveStatus } from '../liveStatus.js';
import type { RoomLink } from '../roomLink.js';
import { isPending, type ValueCheck } from '../valueCheck.js';

/**
 * A live document's state as a query: the `QueryState` fields (`status` `pending` while joining
 * with nothing to show, `success` with `data` = the merged value, `error` when the room refused the
 * connection; `isFetching` while joining or resyncing) plus its unacknowledged edits and conflicts.
 */
export type LiveQueryState<V, C = readonly Sibling<Json>[]> = QueryState<V> & {
  /** How many of this document's edits the hub has not acknowledged yet. */
  readonly pending: number;
  /** Concurrent values to resolve (multi-value documents); empty otherwise. */
  readonly conflicts: C;
};

/** What every live document has, whatever its type: `V` is its value, `C` its conflicts. */
export interface LiveDocBase<T extends DocType, V = DocValues[T], C = readonly Sibling<Json>[]> {
  readonly room: string;
  readonly doc: string;
  readonly type: T;
  /** The current value (local edits included at once); emits synchronously on subscribe. */
  readonly value$: ReadonlySignal<V>;
  /** The current value, synchronously. */
  get(): V;
  /** Concurrent values the app may want to resolve (multi-value documents); empty otherwise. */
  readonly conflicts$: ReadonlySignal<C>;
  /**
   * The document as a query state (it is the cache entry `['live', room, doc]`): status while
   * joining, the merged value as `data`, pending edits and conflicts.
   */
  readonly state$: Observable<LiveQueryState<V, C>>;
  /** Everyone else in the room and their presence state. */
  readonly presence$: ReadonlySignal<readonly PeerPresence[]>;
  /** Sets this client's presence state (cursor, name, colour…); `null` clears it. */
  setPresence(state: Json): void;
  /** Connection state of the room (`refused`: the hub refused the token or room; see `retry`). */
  readonly status$: ReadonlySignal<LiveStatus>;
  /**
   * Connects the room again now. After a refusal (`status$` state `refused`, `errors$`
   * `E_AUTH_REFUSED` / `E_ROOM_FORBIDDEN` / `E_ROOM_INVALID`) nothing is retried until this is
   * called, e.g. once the app has a new token (the transport's `token` function is called again).
   */
  retry(): void;
  /** How many of this document's edits the hub has not acknowledged yet. */
  readonly pending$: ReadonlySignal<number>;
  /**
   * Problems in the room: a refused connection, refused edits, invalid messages, clock drift,
   * remote values failing the schema (`E_SCHEMA_REJECTED`, not merged).
   */
  readonly errors$: Observable<RxSyncError>;
  /** Resolves once the hub acknowledged every edit made so far. */
  synced(): Promise<void>;
  /** Svelte store contract: `$doc` in a component reads the value. */
  subscribe(next: (value: V) => void): Subscription;
  /** Stops using the room (its connection closes with the last document); queued edits stay queued. */
  close(): void;
}

/** A live document's value type (what `value$` holds), e.g. for framework adapters' views. */
export type LiveValueOf<D> = D extends LiveDocBase<DocType, infer V, unknown> ? V : never;
/** A live document's conflicts type (siblings, or siblings per field for an mv-map). */
export type LiveConflictsOf<D> = D extends LiveDocBase<DocType, unknown, infer C> ? C : never;

/** What framework adapters show of an open live document: its handle and its state, read at once. */
export interface LiveSnapshot<D> {
  /** The document handle, for edits (`set`, `add`, `resolve`, `setPresence`…). */
  readonly doc: D;
  /** The merged value, local edits included at once. */
  readonly value: LiveValueOf<D>;
  /** Concurrent values to resolve (multi-value documents); empty otherwise. */
  readonly conflicts: LiveConflictsOf<D>;
  /** Everyone else in the room and their presence state. */
  readonly presence: readonly PeerPresence[];
  /** The room's connection state (`joined` once the hub welcomed this client). */
  readonly status: LiveStatus;
  /** Edits of this document the hub has not acknowledged yet. */
  readonly pending: number;
}

/** What a document class is built from: its replica in the room, the send path, the cache entry. */
export interface DocParts<T extends DocType> {
  readonly room: string;
  readonly doc: string;
  readonly type: T;
  readonly replica: DocReplica<T>;
  readonly link: RoomLink;
  readonly outbox: Outbox;
  readonly clock: Hlc;
  /** The schema's check of a value a local edit would produce. */
  readonly check: ValueCheck | undefined;
  /**
   * Edits of this client between their enqueue and their rekey to the op id: the sender waits for
   * them, so an ack never arrives for an edit the replica still holds under its provisional key.
   */
  readonly enqueuing: Set<Promise<unknown>>;
  /** The document's query-cache entry, as states; and how to stop observing it. */
  readonly entry: { readonly state$: Observable<QueryState<unknown>>; release(): void };
}

let provisional = 0;

/**
 * The part every document type shares: reading, presence, status, and the edit path (check the
 * resulting value, apply at once, queue durably in the outbox, which alone sends it). Each type's
 * class adds only its edit methods, building deltas with its CRDT's functions.
 */
export abstract class LiveDocument<T extends DocType, V, C> implements LiveDocBase<T, V, C> {
  readonly room: string;
  readonly doc: string;
  readonly type: T;
  readonly value$: ReadonlySignal<V>;
  readonly state$: Observable<LiveQueryState<V, C>>;
  protected readonly replica: DocReplica<T>;
  protected readonly clock: Hlc;
  private readonly link: RoomLink;
  private readonly outbox: Outbox;
  private readonly check: ValueCheck | undefined;
  private readonly enqueuing: Set<Promise<unknown>>;
  private readonly release: () => void;
  /** An asynchronous schema check in progress: later edits wait for it, so deltas build on each other. */
  private checking: Promise<unknown> | undefined;
  private closed = false;

  constructor(
    parts: DocParts<T>,
    readonly conflicts$: ReadonlySignal<C>,
  ) {
    ({ room: this.room, doc: this.doc, type: this.type, replica: this.replica, clock: this.clock } = parts);
    this.link = parts.link;
    this.outbox = parts.outbox;
    this.check = parts.check;
    this.enqueuing = parts.enqueuing;
    // The one place the stored JSON meets the app's type: the schema (when given) vouches for it.
    this.value$ = parts.replica.value$ as unknown as ReadonlySignal<V>;
    this.state$ = combineLatest([parts.entry.state$, parts.replica.pending$, conflicts$]).pipe(
      map(([state, pending, conflicts]) => ({ ...(state as QueryState<V>), pending, conflicts })),
    );
    const stopUsing = parts.link.use();
    this.release = () => {
      parts.entry.release();
      stopUsing();
    };
  }

  get presence$(): ReadonlySignal<readonly PeerPresence[]> {
    return this.link.presence$;
  }

  get status$(): ReadonlySignal<LiveStatus> {
    return this.link.status$;
  }

  get pending$(): ReadonlySignal<number> {
    return this.replica.pending$;
  }

  get errors$(): Observable<RxSyncError> {
    return this.link.errors$;
  }

  retry(): void {
    this.link.retry();
  }

  get(): V {
    return this.value$.get();
  }

  subscribe(next: (value: V) => void): Subscription {
    return this.value$.subscribe(next);
  }

  setPresence(state: Json): void {
    assertJson('presence', 'state', state);
    this.link.setPresence(state);
  }

  synced(): Promise<void> {
    return this.link.whenAcknowledged(this.replica as unknown as DocReplica<DocType>);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
  }

  protected get kind(): DocKind<DocStates[T], DocValues[T]> {
    return this.replica.kind;
  }

  /**
   * Makes an edit: `makeDelta` builds it from the current state; the value it would produce must
   * pass the schema (else `E_SCHEMA_REJECTED`, nothing queued). Visible at once; resolves once it
   * is durable in the outbox.
   */
  protected edit(makeDelta: (state: DocStates[T]) => DocStates[T]): Promise<void> {
    return this.editWith(() => makeDelta(this.replica.state));
  }

  /**
   * {@link edit} for a delta that does not depend on the state (a Yjs update): the whole state is
   * then read only if a schema check needs the value the edit produces.
   */
  protected editWith(makeDelta: () => DocStates[T]): Promise<void> {
    if (this.closed) return Promise.reject(new RxSyncError('E_LIVE_CLOSED', `Document "${this.doc}" was closed`));
    if (this.checking !== undefined) return this.checking.then(() => this.editWith(makeDelta));
    let delta: DocStates[T];
    let problem: ReturnType<ValueCheck>;
    try {
      delta = makeDelta();
      problem = this.check?.(this.kind.value(this.kind.merge(this.replica.state, delta)));
    } catch (error) {
      return Promise.reject(error);
    }
    if (!isPending(problem)) return this.commit(delta, problem);
    const checked = Promise.resolve(problem).then(
      (found) => this.commit(delta, found),
      (error: unknown) => this.commit(delta, `the check failed: ${String(error)}`),
    );
    const settled = checked.catch(() => undefined);
    this.checking = settled;
    void settled.then(() => {
      if (this.checking === settled) this.checking = undefined;
    });
    return checked;
  }

  private async commit(delta: DocStates[T], problem: string | undefined): Promise<void> {
    if (problem !== undefined) {
      throw new RxSyncError('E_SCHEMA_REJECTED', `The edit would make "${this.doc}" fail its schema: ${problem}`, {
        details: { room: this.room, doc: this.doc, problem },
      });
    }
    const key = `local:${++provisional}`;
    this.replica.propose(key, delta);
    const queued = this.enqueue(key, delta);
    this.enqueuing.add(queued);
    try {
      await queued;
    } finally {
      this.enqueuing.delete(queued);
    }
  }

  /** Queues the edit durably and renames its pending delta to the op id (withdrawn if it cannot be queued). */
  private async enqueue(key: string, delta: DocStates[T]): Promise<void> {
    let id: string;
    try {
      const plain = this.kind.encode(delta);
      const codec = this.link.codec;
      // End-to-end rooms: sealed before it is stored, so neither the outbox nor the hub holds plaintext.
      const body = codec === undefined ? plain : await codec.encodeText(plain, opContext(this.room, this.doc));
      const payload: LiveOpPayload = { room: this.room, doc: this.doc, type: this.type, body };
      // The outbox is the only sender: it delivers the op through the room link and settles it on the ack.
      id = (await this.outbox.enqueue(LIVE_OP, payload, { scope: liveScope(this.room) })).id;
    } catch (error) {
      this.replica.withdraw(key);
      throw error;
    }
    this.replica.rekey(key, id);
  }

  /** A string argument (map field, set element), or `E_OPTION_INVALID`. */
  protected key(value: unknown): string {
    if (typeof value !== 'string') throw this.invalid(`a ${this.type} key must be a string, got ${typeof value}`);
    return value;
  }

  /** A JSON argument, or `E_CRDT_INVALID` naming where it is not JSON. */
  protected json(value: unknown, path = 'value'): Json {
    assertJson(this.type, path, value);
    return value;
  }

  protected invalid(message: string): RxSyncError {
    return new RxSyncError('E_OPTION_INVALID', `${this.doc}: ${message}`);
  }
}
