import { useMemo, useSyncExternalStore } from 'react';
import type { Subscription } from 'rxjs';
import type { DocType } from '../lib/crdt/docTypes.js';
import type { Json } from '../lib/crdt/json.js';
import type { LiveCounter } from '../lib/live/docs/liveCounter.js';
import type { LiveDocBase, LiveSnapshot } from '../lib/live/docs/liveDocument.js';
import type { LiveDocs } from '../lib/live/docs/liveDocs.js';
import type { LiveMap } from '../lib/live/docs/liveMap.js';
import type { LiveMultiValue } from '../lib/live/docs/liveMultiValue.js';
import type { LiveMvMap } from '../lib/live/docs/liveMvMap.js';
import type { LiveRegister } from '../lib/live/docs/liveRegister.js';
import type { LiveSet } from '../lib/live/docs/liveSet.js';
import type { LiveOptions } from '../lib/live/liveOptions.js';
import type { QueryClient } from '../lib/query/client.js';
import { useClientOr } from './context.js';
import { ExternalStore, type OpenSource } from './externalStore.js';

/** What {@link useLive} renders from: one object per change, the same object while nothing changed. */
export type LiveView<D> = LiveSnapshot<D>;

/** {@link useLive}'s overloads: the document type follows `type`, as with `client.live`. */
export interface UseLive {
  <V extends object = Record<string, Json>>(options: LiveOptions<'lww-map', V>, client?: QueryClient): LiveView<LiveMap<V>>;
  <V extends object = Record<string, Json>>(options: LiveOptions<'mv-map', V>, client?: QueryClient): LiveView<LiveMvMap<V>>;
  <V = Json>(options: LiveOptions<'lww-register', V>, client?: QueryClient): LiveView<LiveRegister<V>>;
  <V = Json>(options: LiveOptions<'mv-register', V>, client?: QueryClient): LiveView<LiveMultiValue<V>>;
  <E extends string = string>(options: LiveOptions<'or-set', readonly E[]>, client?: QueryClient): LiveView<LiveSet<E>>;
  (options: LiveOptions<'pn-counter', number>, client?: QueryClient): LiveView<LiveCounter>;
  /** For code generic over the document type. */
  <T extends DocType>(options: LiveOptions<T>, client?: QueryClient): LiveView<LiveDocs[T]>;
}

type AnyDoc = LiveDocBase<DocType, unknown, unknown>;

/** Opens the document and reports a new view whenever one of its signals changes. */
function openLive(client: QueryClient, options: LiveOptions<DocType>): OpenSource<LiveView<AnyDoc>> {
  return (emit) => {
    const doc = client.live(options) as unknown as AnyDoc;
    let view: LiveView<AnyDoc> | undefined;
    const update = (): void => {
      const next = {
        doc,
        value: doc.value$.get(),
        conflicts: doc.conflicts$.get(),
        presence: doc.presence$.get(),
        status: doc.status$.get(),
        pending: doc.pending$.get(),
      };
      const same = view !== undefined && (Object.keys(next) as (keyof typeof next)[]).every((k) => Object.is(next[k], view?.[k]));
      if (same) return;
      view = next;
      emit(next);
    };
    // Each signal emits on subscribe: the first view is there synchronously.
    const subscriptions: Subscription[] = [doc.value$, doc.conflicts$, doc.presence$, doc.status$, doc.pending$].map((signal) =>
      (signal as { subscribe(next: () => void): Subscription }).subscribe(update),
    );
    return {
      close() {
        subscriptions.forEach((s) => s.unsubscribe());
        doc.close();
      },
    };
  };
}

/**
 * A live document in a component: `client.live(options)` opened while the component is mounted
 * (closed on unmount; queued edits stay queued), with its value, conflicts, presence, status and
 * pending edits, re-rendering when one changes. A different `room`, `doc`, `type` or `transport`
 * opens that document instead; make the transport once, outside the component. The client is the
 * {@link RxSyncProvider}'s unless one is given.
 *
 * @example
 * ```tsx
 * function Clicks() {
 *   const clicks = useLive({ room: 'demo', doc: 'clicks', type: 'pn-counter', transport });
 *   return <button onClick={() => void clicks.doc.add(1)}>{clicks.value}</button>;
 * }
 * ```
 */
export const useLive: UseLive = ((options: LiveOptions<DocType>, client?: QueryClient): LiveView<AnyDoc> => {
  const used = useClientOr(client);
  const { room, doc, type, transport } = options;
  const store = useMemo(
    () => new ExternalStore(openLive(used, options), 'useLive'),
    // The options object is new every render: the document follows what names it.
    [used, room, doc, type, transport],
  );
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}) as UseLive;
