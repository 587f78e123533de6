import { EMPTY, map, merge, share, skip, switchMap, type Observable } from 'rxjs';
import type { LiveRegistry } from '../live/liveRegistry.js';
import type { LiveStatus } from '../live/liveStatus.js';
import type { Outbox } from '../outbox/outbox.js';
import type { ValueStream } from '../signals/cell.js';
import type { CacheEvent } from './queryCache.js';

/**
 * An op of the outbox changed hands: `mutation-queued` (durable in this instance's outbox, or
 * learnt from another tab's), `mutation-acked` (the server accepted it), `mutation-dead` (it
 * failed for good: `error` and, when known, `code`, an HTTP status or a refusal's code). Every op
 * counts, `client.mutation`'s and live documents' edits alike (their `name` is `rxsync:live`).
 * Events carry ids, not payloads: they are meant to be logged or posted to devtools, and a
 * payload may be large or private (the queued op is in `outbox.pendingOps()` while it waits).
 */
export type MutationEvent =
  | { readonly type: 'mutation-queued'; readonly name: string; readonly id: string; readonly scope: string }
  | { readonly type: 'mutation-acked'; readonly name: string; readonly id: string; readonly scope: string }
  | {
      readonly type: 'mutation-dead';
      readonly name: string;
      readonly id: string;
      readonly scope: string;
      readonly error: string;
      readonly code?: number | string;
    };

/**
 * The outbox as a whole: `outbox-pending`, the number of ops waiting changed; `outbox-leader`,
 * this instance started (`leader: true`) or stopped replaying the queue shared by the tabs.
 */
export type OutboxEvent =
  { readonly type: 'outbox-pending'; readonly pending: number } | { readonly type: 'outbox-leader'; readonly leader: boolean };

/** A live room's connection changed (`state`, `joined`, `error`: see {@link LiveStatus}). */
export interface ConnectionEvent {
  readonly type: 'connection';
  readonly room: string;
  readonly status: LiveStatus;
}

/**
 * Everything `client.events$` reports, told apart by `type`: the cache's entries
 * ({@link CacheEvent}: `added`, `updated`, `invalidated`, `removed`), the outbox's ops
 * ({@link MutationEvent}) and the outbox itself ({@link OutboxEvent}), and live rooms'
 * connections ({@link ConnectionEvent}).
 */
export type ClientEvent = CacheEvent | MutationEvent | OutboxEvent | ConnectionEvent;

/** @internal What a client's events come from; the live registry appears on the first live document. */
export interface ClientEventSources {
  readonly cache$: Observable<CacheEvent>;
  readonly outbox: Outbox | undefined;
  readonly live: ValueStream<LiveRegistry | undefined> | undefined;
}

/**
 * @internal One hot stream of a client's events. Built on the first subscriber and torn down
 * after the last (`share`), so a client nobody watches pays for none of it: the cache emits its
 * events only while observed. Values current at subscribe time are not replayed (events only).
 */
export function clientEvents({ cache$, outbox, live }: ClientEventSources): Observable<ClientEvent> {
  const sources: Array<Observable<ClientEvent>> = [cache$];
  if (outbox !== undefined) {
    sources.push(
      merge(outbox.queued$, outbox.fromPeers$).pipe(
        map(({ name, id, scope }): ClientEvent => ({ type: 'mutation-queued', name, id, scope })),
      ),
      outbox.ack$.pipe(map(({ op: { name, id, scope } }): ClientEvent => ({ type: 'mutation-acked', name, id, scope }))),
      outbox.deadLetter$.pipe(
        map(({ op: { name, id, scope }, error, status }): ClientEvent => ({
          type: 'mutation-dead',
          name,
          id,
          scope,
          error,
          ...(status !== undefined ? { code: status } : {}),
        })),
      ),
      outbox.pending$.pipe(
        skip(1),
        map((pending): ClientEvent => ({ type: 'outbox-pending', pending })),
      ),
      outbox.leader$.pipe(
        skip(1),
        map((leader): ClientEvent => ({ type: 'outbox-leader', leader })),
      ),
    );
  }
  if (live !== undefined) {
    const connections$ = live.pipe(switchMap((registry) => registry?.connections$ ?? EMPTY));
    sources.push(connections$.pipe(map(({ room, status }): ClientEvent => ({ type: 'connection', room, status }))));
  }
  return merge(...sources).pipe(share());
}
