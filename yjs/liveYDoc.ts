import { Subject, merge, type Observable, type Subscription } from 'rxjs';
import * as Y from 'yjs';
import type { Json } from '../lib/crdt/json.js';
import type { Sibling } from '../lib/crdt/mvRegister.js';
import { RxSyncError, isRxSyncError } from '../lib/errors.js';
import { LiveDocument, type DocParts } from '../lib/live/docs/liveDocument.js';
import type { LiveAck, LiveYjs } from '../lib/live/docs/liveYjs.js';
import { noConflicts } from '../lib/live/docs/noConflicts.js';
import { signal, type ReadonlySignal } from '../lib/signals/signal.js';
import { YjsReplica } from './yjsReplica.js';

/** A {@link LiveYjs} typed with Yjs's own `Y.Doc`: what `client.live<Y.Doc>({ type: 'yjs', … })` returns. */
export type LiveYDoc = LiveYjs<Y.Doc>;

/** Wait before queueing again updates the outbox refused (full, storage failing). */
const RETRY_DELAY = 1000;

/**
 * The {@link LiveYjs} implementation, on a {@link YjsReplica} (a `Y.Doc` of the confirmed state plus
 * our pending updates); the handle's own `Y.Doc` is what the app edits. Local updates (any
 * transaction origin but this handle) are collected and queued once per tick (a microtask) as one
 * merged update; updates the replica gains that did not come from here are applied to the `Y.Doc`
 * one by one, with this handle as the transaction origin, so they are never queued again. Nothing
 * on the way costs in proportion to the document.
 */
export class LiveYDocImpl extends LiveDocument<'yjs', Uint8Array, readonly Sibling<Json>[]> implements LiveYDoc {
  readonly ydoc = new Y.Doc();
  private readonly lastAck = signal<LiveAck | undefined>(undefined);
  private readonly failures = new Subject<RxSyncError>();
  private readonly subscriptions: Subscription[] = [];
  private batch: Uint8Array[] = [];
  private scheduled = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** True while our own update is being proposed: the replica's change is already in `ydoc`. */
  private proposing = false;
  private stopped = false;
  /** Settles once every update handed to the outbox so far is queued (or refused, and kept to retry). */
  private queued: Promise<void> = Promise.resolve();

  constructor(parts: DocParts<'yjs'>) {
    super(parts, noConflicts);
    const replica: unknown = parts.replica;
    if (!(replica instanceof YjsReplica)) {
      throw new RxSyncError('E_DOC_TYPE', `${parts.doc}: a yjs document needs the replica of yjsDocuments`);
    }
    this.ydoc.on('update', this.onUpdate);
    // What the replica already has (saved state, queued edits) shows at once, then each update it gains.
    this.show(replica.state);
    this.subscriptions.push(replica.updates$.subscribe((update) => this.show(update)));
    this.subscriptions.push(parts.replica.acknowledged$.subscribe((id) => this.lastAck.set({ id, at: Date.now() })));
  }

  get lastAck$(): ReadonlySignal<LiveAck | undefined> {
    return this.lastAck;
  }

  override get errors$(): Observable<RxSyncError> {
    return merge(super.errors$, this.failures);
  }

  flush(): Promise<void> {
    this.scheduled = false;
    if (this.batch.length === 0 || this.stopped) return this.queued;
    const update = this.batch.length === 1 ? (this.batch[0] as Uint8Array) : Y.mergeUpdates(this.batch);
    this.batch = [];
    this.proposing = true;
    let queued: Promise<void>;
    try {
      queued = this.editWith(() => update);
    } finally {
      this.proposing = false;
    }
    // Durable once this update and the ones before it are; a refused one is queued again later.
    const before = this.queued;
    this.queued = queued.then(
      () => before,
      (error: unknown) => {
        this.requeue(update, error);
        return before;
      },
    );
    return this.queued;
  }

  override async synced(): Promise<void> {
    await this.flush();
    return super.synced();
  }

  override close(): void {
    // What was typed in this tick is queued before the handle lets go.
    void this.flush();
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.ydoc.off('update', this.onUpdate);
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    super.close();
  }

  private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this || this.stopped) return;
    this.batch.push(update);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      if (this.scheduled) void this.flush();
    });
  };

  /** Applies an update of the replica to the Y.Doc (a no-op for what it already has). */
  private show(update: Uint8Array): void {
    if (this.proposing) return;
    try {
      Y.applyUpdate(this.ydoc, update, this);
    } catch (error) {
      // Remote updates were validated before the replica took them; this is a bug or damaged memory: say so.
      this.failures.next(new RxSyncError('E_YJS_UPDATE_INVALID', `${this.doc}: an update does not apply`, { cause: error }));
    }
  }

  /** The outbox did not take the update: it stays in the Y.Doc and is queued again a little later. */
  private requeue(update: Uint8Array, error: unknown): void {
    if (this.stopped) return;
    this.failures.next(
      isRxSyncError(error) ? error : new RxSyncError('E_OUTBOX_INVALID', `${this.doc}: queueing an update failed`, { cause: error }),
    );
    this.batch.unshift(update);
    if (this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.flush();
    }, RETRY_DELAY);
    (this.retryTimer as { unref?: () => void }).unref?.();
  }
}
