import type { ReadonlySignal } from '../../signals/signal.js';
import type { LiveDocBase } from './liveDocument.js';

/** The hub's acknowledgement of one of a document's updates. */
export interface LiveAck {
  /** The outbox op id of the acknowledged update. */
  readonly id: string;
  /** When the ack arrived (ms since the epoch, this client's clock). */
  readonly at: number;
}

/**
 * A Yjs document in a room (`type: 'yjs'`; needs `liveDocuments.with(yjsDocuments)` from
 * `rxsync/yjs`). `D` is the `Y.Doc` type: `client.live<Y.Doc>({ …, type: 'yjs' })`, or use the
 * `LiveYDoc` type of `rxsync/yjs`. Edit `ydoc` with the Yjs API (or bind it to an editor): its
 * updates are batched per tick, queued durably in the outbox and sent through the room; remote
 * updates are applied to it. Its `value$` is the merged Yjs update, for code that stores it.
 */
export interface LiveYjs<D = unknown> extends LiveDocBase<'yjs', Uint8Array> {
  /** The document the app edits; remote updates arrive in transactions whose origin is this handle. */
  readonly ydoc: D;
  /** The last update of this document the hub acknowledged; `undefined` before the first. */
  readonly lastAck$: ReadonlySignal<LiveAck | undefined>;
  /**
   * Queues now the updates batched since the last tick (`synced()` and `close()` do it too);
   * resolves once everything typed so far is durable in the outbox (e.g. before a page closes).
   */
  flush(): Promise<void>;
}
