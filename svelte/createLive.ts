import type { Observable } from 'rxjs';
import type { DocType } from '../lib/crdt/docTypes.js';
import type { Json } from '../lib/crdt/json.js';
import { RxSyncError } from '../lib/errors.js';
import type { LiveCounter } from '../lib/live/docs/liveCounter.js';
import type { LiveConflictsOf, LiveDocBase, LiveSnapshot, LiveValueOf } from '../lib/live/docs/liveDocument.js';
import type { AnyLiveDoc, LiveDocs } from '../lib/live/docs/liveDocs.js';
import type { LiveMap } from '../lib/live/docs/liveMap.js';
import type { LiveMultiValue } from '../lib/live/docs/liveMultiValue.js';
import type { LiveMvMap } from '../lib/live/docs/liveMvMap.js';
import type { LiveRegister } from '../lib/live/docs/liveRegister.js';
import type { LiveSet } from '../lib/live/docs/liveSet.js';
import type { LiveOptions } from '../lib/live/liveOptions.js';
import type { LiveStatus } from '../lib/live/liveStatus.js';
import type { PeerPresence } from '../lib/protocol/hubMessages.js';
import type { QueryClient } from '../lib/query/client.js';
import { disposeWithComponent, resolveClient } from './clientContext.js';
import { ObservedValue, asRead } from './observedValue.js';

/** Any live document handle (what `client.live` returns). */
export type AnyLiveHandle = LiveDocBase<DocType, unknown, unknown>;

/** What {@link createLive} returns: the document's handle and its state as reactive properties. */
export interface SvelteLive<D extends AnyLiveHandle> extends LiveSnapshot<D> {
  /** Closes the document (done for you when the component is destroyed); queued edits stay queued. */
  dispose(): void;
}

const sameDoc = (a: LiveOptions<DocType>, b: LiveOptions<DocType>): boolean =>
  a.room === b.room && a.doc === b.doc && a.type === b.type && a.transport === b.transport;

class SvelteLiveImpl<D extends AnyLiveHandle> implements SvelteLive<D> {
  readonly #client: QueryClient;
  readonly #options: () => LiveOptions<DocType>;
  #open: { readonly options: LiveOptions<DocType>; readonly doc: D } | undefined;
  #disposed = false;
  readonly #value = this.#observe<unknown>((d) => d.value$);
  readonly #conflicts = this.#observe<unknown>((d) => d.conflicts$);
  readonly #presence = this.#observe<readonly PeerPresence[]>((d) => d.presence$);
  readonly #status = this.#observe<LiveStatus>((d) => d.status$);
  readonly #pending = this.#observe<number>((d) => d.pending$);

  constructor(client: QueryClient, options: () => LiveOptions<DocType>) {
    this.#client = client;
    this.#options = options;
  }

  get doc(): D {
    return asRead(() => this.#current());
  }

  /** The options' document: opened on first use, reopened when they name another one. */
  #current(): D {
    const options = this.#options();
    const open = this.#open;
    if (open !== undefined && sameDoc(open.options, options)) return open.doc;
    if (this.#disposed) throw new RxSyncError('E_LIVE_CLOSED', `createLive: "${options.doc}" was disposed`);
    const doc = (this.#client.live as (o: LiveOptions<DocType>) => AnyLiveDoc)(options) as unknown as D;
    this.#open = { options, doc };
    // Closed after the new one opened: a room both use stays connected.
    open?.doc.close();
    return doc;
  }
  get value(): LiveValueOf<D> {
    return this.#value.current as LiveValueOf<D>;
  }
  get conflicts(): LiveConflictsOf<D> {
    return this.#conflicts.current as LiveConflictsOf<D>;
  }
  get presence(): readonly PeerPresence[] {
    return this.#presence.current;
  }
  get status(): LiveStatus {
    return this.#status.current;
  }
  get pending(): number {
    return this.#pending.current;
  }
  dispose(): void {
    this.#disposed = true;
    this.#open?.doc.close();
    this.#open = undefined;
  }

  #observe<T>(field: (doc: D) => Observable<T>): ObservedValue<D, T> {
    return new ObservedValue<D, T>(() => this.doc, Object.is, field);
  }
}

/**
 * A live document for a Svelte 5 component: `client.live(options())` with its value, conflicts,
 * presence, status and pending count as reactive properties, and the handle as `doc` for edits.
 * The options may read `$state`: when the room, document, type or transport change, the new
 * document opens (its stored or cached value shows at once) and the old one closes. Closed when
 * the component is destroyed. `client`: default the one from {@link setClientContext}.
 *
 * @example
 * ```ts
 * const todo = createLive(() => ({ room, doc: `todo.${id}`, type: 'lww-map', transport }));
 * // {todo.value.title} … onclick={() => todo.doc.set('done', true)}
 * ```
 */
export function createLive<V extends object = Record<string, Json>>(
  options: () => LiveOptions<'lww-map', V>,
  client?: QueryClient,
): SvelteLive<LiveMap<V>>;
export function createLive<V extends object = Record<string, Json>>(
  options: () => LiveOptions<'mv-map', V>,
  client?: QueryClient,
): SvelteLive<LiveMvMap<V>>;
export function createLive<V = Json>(options: () => LiveOptions<'lww-register', V>, client?: QueryClient): SvelteLive<LiveRegister<V>>;
export function createLive<V = Json>(options: () => LiveOptions<'mv-register', V>, client?: QueryClient): SvelteLive<LiveMultiValue<V>>;
export function createLive<E extends string = string>(
  options: () => LiveOptions<'or-set', readonly E[]>,
  client?: QueryClient,
): SvelteLive<LiveSet<E>>;
export function createLive(options: () => LiveOptions<'pn-counter', number>, client?: QueryClient): SvelteLive<LiveCounter>;
/** For code generic over the document type. */
export function createLive<T extends DocType>(options: () => LiveOptions<T>, client?: QueryClient): SvelteLive<LiveDocs[T]>;
export function createLive(options: () => LiveOptions<DocType>, client?: QueryClient): SvelteLive<AnyLiveDoc> {
  const live = new SvelteLiveImpl<AnyLiveDoc>(resolveClient(client), options);
  disposeWithComponent(() => live.dispose());
  return live;
}
