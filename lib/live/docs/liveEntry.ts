import { map, skip, type Observable, type Subscription } from 'rxjs';
import type { DocType } from '../../crdt/docTypes.js';
import { RxSyncError } from '../../errors.js';
import type { QueryCache } from '../../query/queryCache.js';
import { hashQueryKey } from '../../query/queryKey.js';
import { toQueryState, type QueryState } from '../../query/queryState.js';
import type { DocReplica } from '../docReplica.js';
import type { LiveStatus } from '../liveStatus.js';
import type { RoomLink } from '../roomLink.js';

/** What a live document needs from its client to be a query: the cache and its clock. */
export interface LiveCacheHost {
  readonly cache: QueryCache;
  readonly now: () => number;
}

/** A live document's cache entry, kept in step with its replica while the document is open. */
export interface LiveEntry {
  /** The entry's state as a query state (`data` = the merged value). */
  readonly state$: Observable<QueryState<unknown>>;
  /** Stops keeping the entry in step (the last document handle closed); the entry may then be gc'd. */
  release(): void;
}

/** The cache key of a live document. */
export const liveKey = (room: string, doc: string): readonly ['live', string, string] => ['live', room, doc];

/**
 * Makes `['live', room, doc]` an entry of the query cache that mirrors the replica: `pending` and
 * fetching while the room joins with nothing to show, `success` with the merged value once there is
 * one (a persisted value shows until then), `error` when the room refuses the connection.
 * `client.invalidate` on it asks the hub for the room's whole state again. Only the document
 * writes it: `client.setData` refuses the key.
 */
export function bindLiveEntry(host: LiveCacheHost, room: string, doc: string, replica: DocReplica<DocType>, link: RoomLink): LiveEntry {
  const { cache, now } = host;
  const entry = cache.build<unknown>(hashQueryKey(liveKey(room, doc)));
  const stopObserving = entry.addObserver({
    staleTime: Infinity, // the replica is always current; only `invalidate` asks for a resync
    refetchOnReconnect: false,
    refetchOnFocus: false,
    refetchInterval: false,
    gcTime: cache.gcTime,
  });
  const disown = cache.own(entry.key, `the live document "${doc}" of room "${room}"`);
  let resyncing = false;
  const show = (): void => entry.dispatch({ type: 'success', data: replica.value$.get(), at: now() });
  const fetching = (): void => {
    if (entry.state.get().fetchStatus !== 'fetching') entry.dispatch({ type: 'fetch' });
  };
  const onStatus = (status: LiveStatus): void => {
    if (status.joined) {
      if (resyncing) return;
      show();
      entry.dispatch({ type: 'idle' });
    } else if (status.state === 'refused') {
      const error =
        status.error instanceof RxSyncError
          ? status.error
          : new RxSyncError('E_AUTH_REFUSED', `Room "${room}" refused the connection`, { cause: status.error });
      entry.dispatch({ type: 'error', error });
    } else if (status.state === 'offline') {
      fetching();
      entry.dispatch({ type: 'pause' });
    } else {
      fetching(); // connecting, reconnecting, or about to connect (`closed` while the document is open)
    }
  };
  const subscription: Subscription = replica.value$.pipe(skip(1)).subscribe((data) => entry.dispatch({ type: 'setData', data, at: now() }));
  subscription.add(link.status$.subscribe(onStatus));
  subscription.add(
    entry.refetchRequested$.subscribe((request) => {
      if (request === 'leave') return; // a fetch cancelled: a live document has none
      resyncing = true;
      fetching();
      void link.resync().then(() => {
        resyncing = false;
        onStatus(link.status$.get());
      });
    }),
  );
  return {
    state$: entry.state.pipe(map((state) => toQueryState(state, entry.isStale(Infinity), (data: unknown) => data, undefined))),
    release() {
      subscription.unsubscribe();
      entry.dispatch({ type: 'idle' }); // nothing joins any more (and a fetching entry is never gc'd)
      disown();
      stopObserving();
    },
  };
}
