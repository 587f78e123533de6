import type { Observable, Subscription } from 'rxjs';
import type { Hlc } from '../crdt/hlc.js';
import { assertJson, type Json } from '../crdt/json.js';
import * as lwwMap from '../crdt/lwwMap.js';
import * as lwwRegister from '../crdt/lwwRegister.js';
import * as mvRegister from '../crdt/mvRegister.js';
import * as orSet from '../crdt/orSet.js';
import * as pnCounter from '../crdt/pnCounter.js';
import type { Sibling } from '../crdt/mvRegister.js';
import { RxSyncError } from '../errors.js';
import type { Outbox } from '../outbox/outbox.js';
import type { PeerPresence } from '../protocol/hubMessages.js';
import { applyRecipe, type Recipe } from '../signals/recipe.js';
import { signal, type ReadonlySignal } from '../signals/signal.js';
import type { DocReplica } from './docReplica.js';
import type { DocStates, DocType, DocValues } from '../crdt/docTypes.js';
import { LIVE_OP, liveScope, type LiveOpPayload } from './liveOp.js';
import { opContext, type LiveStatus, type RoomLink } from './roomLink.js';

/** What every live document has, whatever its type. */
export interface LiveDocBase<T extends DocType> {
  readonly room: string;
  readonly doc: string;
  readonly type: T;
  /** The current value (local edits included at once); emits synchronously on subscribe. */
  readonly value$: ReadonlySignal<DocValues[T]>;
  /** The current value, synchronously. */
  get(): DocValues[T];
  /** Concurrent values the app may want to resolve (multi-value registers); empty otherwise. */
  readonly conflicts$: ReadonlySignal<readonly Sibling<Json>[]>;
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
  /** Problems in the room: a refused connection, refused edits, invalid messages, clock drift. */
  readonly errors$: Observable<RxSyncError>;
  /** Resolves once the hub acknowledged every edit made so far. */
  synced(): Promise<void>;
  /** Svelte store contract: `$doc` in a component reads the value. */
  subscribe(next: (value: DocValues[T]) => void): Subscription;
  /** Stops using the room (its connection closes with the last document); queued edits stay queued. */
  close(): void;
}

/**
 * A map of fields, each last-writer-wins. Edits resolve once durable in the outbox (they are
 * visible at once and reach the hub when online).
 */
export interface LiveMap extends LiveDocBase<'lww-map'> {
  set(key: string, value: Json): Promise<void>;
  remove(key: string): Promise<void>;
  /** An immer recipe over the fields; changed fields are written, deleted ones removed. */
  update(recipe: Recipe<Record<string, Json>>): Promise<void>;
}

/** One value, last writer wins. */
export interface LiveRegister extends LiveDocBase<'lww-register'> {
  set(value: Json): Promise<void>;
  update(fn: (current: Json | undefined) => Json): Promise<void>;
}

/** One value that keeps concurrent writes side by side (`conflicts$`) until a write resolves them. */
export interface LiveMultiValue extends LiveDocBase<'mv-register'> {
  /** Writes `value`, replacing every sibling this replica has seen: this is how a conflict is resolved. */
  set(value: Json): Promise<void>;
}

/** A counter that several clients change concurrently. */
export interface LiveCounter extends LiveDocBase<'pn-counter'> {
  add(amount: number): Promise<void>;
}

/** A set of strings where a concurrent add wins over a remove. */
export interface LiveSet extends LiveDocBase<'or-set'> {
  add(element: string): Promise<void>;
  remove(element: string): Promise<void>;
}

/** The live document type of each {@link DocType}. */
export interface LiveDocs {
  'lww-map': LiveMap;
  'lww-register': LiveRegister;
  'mv-register': LiveMultiValue;
  'pn-counter': LiveCounter;
  'or-set': LiveSet;
  /** Read-only here for now: its edit methods arrive with the per-type document classes. */
  'mv-map': LiveDocBase<'mv-map'>;
}

const noConflicts = signal<readonly Sibling<Json>[]>([]);

const sameSiblings = (a: readonly Sibling<Json>[], b: readonly Sibling<Json>[]): boolean =>
  a.length === b.length && a.every((s, i) => s.stamp === b[i]?.stamp);

let provisional = 0;

/**
 * A handle on one document of a room. Edits are applied to the local replica at once, stamped by
 * the client's clock, and queued in the outbox (so they survive offline and reload); the room link
 * sends them and the hub's ack settles them.
 */
export class LiveDocHandle<T extends DocType> implements LiveDocBase<T> {
  readonly value$: ReadonlySignal<DocValues[T]>;
  readonly conflicts$: ReadonlySignal<readonly Sibling<Json>[]>;
  private readonly release: () => void;
  private closed = false;

  constructor(
    readonly room: string,
    readonly doc: string,
    readonly type: T,
    private readonly replica: DocReplica<T>,
    private readonly link: RoomLink,
    private readonly outbox: Outbox,
    private readonly clock: Hlc,
  ) {
    this.value$ = replica.value$;
    this.conflicts$ =
      type === 'mv-register'
        ? (replica.state$ as unknown as ReadonlySignal<mvRegister.MvRegister<Json>>).select((s) => mvRegister.conflicts(s), {
            equals: sameSiblings,
          })
        : noConflicts;
    this.release = link.use();
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

  get(): DocValues[T] {
    return this.replica.value$.get();
  }

  subscribe(next: (value: DocValues[T]) => void): Subscription {
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

  // ---- edits (the public interfaces expose the ones that fit the type) ----

  async set(keyOrValue: Json, value?: Json): Promise<void> {
    switch (this.type) {
      case 'lww-map': {
        const key = this.key(keyOrValue);
        const field = this.json(value, `field ${JSON.stringify(key)}`);
        return this.edit(() => lwwMap.set(lwwMap.create<Json>(), key, field, this.clock.tick()));
      }
      case 'lww-register': {
        const next = this.json(keyOrValue);
        return this.edit(() => lwwRegister.set(lwwRegister.create<Json>(), next, this.clock.tick()));
      }
      case 'mv-register': {
        const next = this.json(keyOrValue);
        return this.edit((state) => mvRegister.set(state as mvRegister.MvRegister<Json>, next, this.clock.tick()));
      }
      default:
        return this.unsupported('set');
    }
  }

  async remove(keyOrElement: string): Promise<void> {
    switch (this.type) {
      case 'lww-map': {
        const key = this.key(keyOrElement);
        return this.edit(() => lwwMap.remove(lwwMap.create<Json>(), key, this.clock.tick()));
      }
      case 'or-set': {
        const element = this.key(keyOrElement);
        return this.edit((state) => {
          const before = state as orSet.OrSet;
          return orSet.delta(orSet.remove(before, element, this.clock.tick()), orSet.version(before));
        });
      }
      default:
        return this.unsupported('remove');
    }
  }

  async add(amountOrElement: number | string): Promise<void> {
    switch (this.type) {
      case 'pn-counter': {
        if (typeof amountOrElement !== 'number') return this.invalid('add needs a number');
        return this.edit((state) => {
          const before = state as pnCounter.PnCounter;
          return pnCounter.delta(pnCounter.add(before, this.clock.nodeId, amountOrElement), before);
        });
      }
      case 'or-set': {
        const element = this.key(amountOrElement);
        return this.edit((state) => {
          const before = state as orSet.OrSet;
          return orSet.delta(orSet.add(before, element, this.clock.tick()), orSet.version(before));
        });
      }
      default:
        return this.unsupported('add');
    }
  }

  async update(fn: Recipe<Record<string, Json>> | ((current: Json | undefined) => Json)): Promise<void> {
    switch (this.type) {
      case 'lww-map': {
        const current = this.get() as Readonly<Record<string, Json>>;
        const next = applyRecipe(current as Record<string, Json>, fn as Recipe<Record<string, Json>>);
        const written = Object.keys(next).filter((k) => !Object.hasOwn(current, k) || current[k] !== next[k]);
        const removed = Object.keys(current).filter((k) => !Object.hasOwn(next, k));
        if (written.length === 0 && removed.length === 0) return Promise.resolve();
        for (const k of written) this.json(next[k]);
        return this.edit(() => {
          const stamp = this.clock.tick();
          let delta = lwwMap.setMany(
            lwwMap.create<Json>(),
            written.map((k) => [k, next[k] as Json] as const),
            stamp,
          );
          for (const k of removed) delta = lwwMap.remove(delta, k, stamp);
          return delta;
        });
      }
      case 'lww-register':
        return this.set((fn as (current: Json | undefined) => Json)(this.get() as Json | undefined));
      default:
        return this.unsupported('update');
    }
  }

  private async edit(makeDelta: (state: DocStates[T]) => unknown): Promise<void> {
    if (this.closed) throw new RxSyncError('E_LIVE_CLOSED', `Document "${this.doc}" was closed`);
    const delta = makeDelta(this.replica.state) as DocStates[T];
    const key = `local:${++provisional}`;
    this.replica.propose(key, delta);
    let id: string;
    let payload: LiveOpPayload;
    try {
      const plain = this.replica.kind.encode(delta);
      const codec = this.link.codec;
      // End-to-end rooms: sealed before it is stored, so neither the outbox nor the hub holds plaintext.
      const body = codec === undefined ? plain : await codec.encodeText(plain, opContext(this.room, this.doc));
      payload = { room: this.room, doc: this.doc, type: this.type, body };
      id = (await this.outbox.enqueue(LIVE_OP, payload, { scope: liveScope(this.room) })).id;
    } catch (error) {
      this.replica.withdraw(key);
      throw error;
    }
    this.replica.rekey(key, id);
  }

  private key(value: unknown): string {
    if (typeof value !== 'string') return this.invalid(`a ${this.type} key must be a string, got ${typeof value}`);
    return value;
  }

  private json(value: unknown, path = 'value'): Json {
    assertJson(this.type, path, value);
    return value;
  }

  private invalid(message: string): never {
    throw new RxSyncError('E_OPTION_INVALID', `${this.doc}: ${message}`);
  }

  private unsupported(method: string): never {
    throw new RxSyncError('E_OPTION_INVALID', `${method}() does not apply to a ${this.type} document ("${this.doc}")`);
  }
}
