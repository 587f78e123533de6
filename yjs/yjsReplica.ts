import { Subject, type Observable } from 'rxjs';
import * as Y from 'yjs';
import type { DocReplica, ReplicaMergeOptions } from '../lib/live/docReplica.js';
import { RxSyncError, isRxSyncError } from '../lib/errors.js';
import { ComputedNode } from '../lib/signals/computed.js';
import { signal, type ReadonlySignal } from '../lib/signals/signal.js';
import { yjsKind } from './yjsKind.js';

/**
 * The public members of a class (its private ones make it nominal): what the Yjs replica provides
 * in place of the generic one, without importing (and bundling) the generic one's code.
 */
type PublicPart<T> = { [K in keyof T]: T[K] };

/** How long after a change `value$` subscribers are told (one push per burst of changes). */
const VALUE_DELAY = 250;

/**
 * `value$` of a Yjs replica: the whole merged update, encoded only when read. Reading it (`get()`)
 * is always current; subscribers are told {@link VALUE_DELAY} ms after a change, once per burst, since encoding the
 * whole document on every keystroke is what made typing cost grow with the document.
 */
class MergedUpdate extends ComputedNode<Uint8Array> {
  constructor(private readonly replica: YjsReplica) {
    super([replica.changes as never], () => replica.encodeView(), Object.is);
  }

  override get(): Uint8Array {
    this.replica.publish();
    return super.get();
  }
}

/**
 * The replica of a `yjs` document, keeping a `Y.Doc` as its confirmed state instead of one merged
 * update: a remote update (validated first, as the generic replica does) is applied to it with
 * `Y.applyUpdate`, our pending edits stay the small updates they are, and an acknowledged one is
 * applied too. So an edit costs in proportion to the edit, not to the document. The whole state is
 * encoded only when asked for: by the saver (on its schedule), by `value$`, or by a new handle.
 *
 * Every update the view gains (remote, restored, another tab's queued edit, ours) is emitted on
 * {@link updates$}, which the handle applies to its own `Y.Doc`.
 */
export class YjsReplica implements PublicPart<DocReplica<'yjs'>> {
  readonly type = 'yjs';
  readonly kind = yjsKind;
  /** @internal Bumped ({@link VALUE_DELAY} ms after a change) when the view changed: drives `value$`. */
  readonly changes = signal(0);
  private readonly confirmedDoc = new Y.Doc();
  private readonly pendingEdits = new Map<string, Uint8Array>();
  private readonly pendingCount = signal(0);
  private readonly ackSubject = new Subject<string>();
  private readonly updateSubject = new Subject<Uint8Array>();
  private readonly mergedUpdate: ReadonlySignal<Uint8Array> = new MergedUpdate(this);
  /** Restored or acknowledged states: ours, checked when made or when they first arrived. */
  private readonly trustedStates = new WeakSet<Uint8Array>();
  private readonly onRejected: ((error: RxSyncError) => void) | undefined;
  /** Encodings of the confirmed state and of the view, until either changes. */
  private confirmedCache: Uint8Array | undefined;
  private viewCache: Uint8Array | undefined;
  private viewChanged = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ReplicaMergeOptions = {}) {
    this.onRejected = options.onReject;
  }

  /** As the generic replica's type: the room's parts hold either. */
  asDocReplica(): DocReplica<'yjs'> {
    return this as unknown as DocReplica<'yjs'>;
  }

  /** Each update the view gained, to apply to a handle's `Y.Doc` (a no-op for what it has). */
  get updates$(): Observable<Uint8Array> {
    return this.updateSubject.asObservable();
  }

  get value$(): ReadonlySignal<Uint8Array> {
    return this.mergedUpdate;
  }

  get state$(): ReadonlySignal<Uint8Array> {
    return this.mergedUpdate;
  }

  get pending$(): ReadonlySignal<number> {
    return this.pendingCount;
  }

  get acknowledged$(): Observable<string> {
    return this.ackSubject.asObservable();
  }

  /** The whole merged update (confirmed ⊕ pending): encoded now if it changed since last asked. */
  get state(): Uint8Array {
    return this.encodeView();
  }

  /** The confirmed state as one update (what a saved replica holds), encoded when it changed. */
  get confirmed(): Uint8Array {
    this.confirmedCache ??= Y.encodeStateAsUpdate(this.confirmedDoc);
    return this.confirmedCache;
  }

  /** Yjs documents take no schema (`client.live` refuses one). */
  validateWith(): void {}

  /** A remote update: validated (`E_YJS_UPDATE_INVALID`) before anything is applied. */
  receive(encoded: unknown): void {
    let update: Uint8Array;
    try {
      update = encoded instanceof Uint8Array && this.trustedStates.has(encoded) ? encoded : yjsKind.decode(encoded);
    } catch (error) {
      this.onRejected?.(isRxSyncError(error) ? error : new RxSyncError('E_YJS_UPDATE_INVALID', String(error), { cause: error }));
      return;
    }
    this.applyConfirmed(update);
    this.gained(update);
  }

  confirm(state: Uint8Array): void {
    this.trustedStates.add(state);
    this.receive(state);
  }

  propose(key: string, delta: Uint8Array): void {
    const previous = this.pendingEdits.get(key);
    this.pendingEdits.set(key, previous === undefined ? delta : Y.mergeUpdates([previous, delta]));
    this.pendingCount.set(this.pendingEdits.size);
    this.gained(delta);
  }

  rekey(from: string, to: string): void {
    const delta = this.pendingEdits.get(from);
    if (delta === undefined) return;
    this.pendingEdits.delete(from);
    this.pendingEdits.set(to, delta);
  }

  acknowledge(key: string): void {
    const delta = this.pendingEdits.get(key);
    if (delta === undefined) return;
    this.pendingEdits.delete(key);
    this.pendingCount.set(this.pendingEdits.size);
    this.ackSubject.next(key);
    // Already in the view: only the confirmed state moves.
    this.applyConfirmed(delta);
  }

  /** A `Y.Doc` cannot forget an update: the view drops it; a handle keeps it and queues it again. */
  withdraw(key: string): void {
    if (!this.pendingEdits.delete(key)) return;
    this.pendingCount.set(this.pendingEdits.size);
    this.viewCache = undefined;
    this.schedule();
  }

  hasPending(key: string): boolean {
    return this.pendingEdits.has(key);
  }

  /** @internal The view as one update (`value$`'s derivation). */
  encodeView(): Uint8Array {
    if (this.viewCache !== undefined) return this.viewCache;
    const confirmed = this.confirmed;
    this.viewCache = this.pendingEdits.size === 0 ? confirmed : Y.mergeUpdates([confirmed, ...this.pendingEdits.values()]);
    return this.viewCache;
  }

  /** @internal Tells `value$` now about a change it has not been told about yet. */
  publish(): void {
    if (!this.viewChanged) return;
    this.viewChanged = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.changes.set(this.changes.get() + 1);
  }

  private applyConfirmed(update: Uint8Array): void {
    try {
      Y.applyUpdate(this.confirmedDoc, update);
    } catch (error) {
      // Validated before: a bug or damaged memory. Say so rather than lose it silently.
      this.onRejected?.(new RxSyncError('E_YJS_UPDATE_INVALID', `A checked update does not apply: ${String(error)}`, { cause: error }));
      return;
    }
    this.confirmedCache = undefined;
  }

  private gained(update: Uint8Array): void {
    this.viewCache = undefined;
    this.updateSubject.next(update);
    this.schedule();
  }

  private schedule(): void {
    this.viewChanged = true;
    if (this.timer !== undefined) return;
    // Never sooner: a keystroke's own frame goes out before the whole document is encoded.
    this.timer = setTimeout(() => this.publish(), VALUE_DELAY);
    (this.timer as { unref?: () => void }).unref?.();
  }
}
