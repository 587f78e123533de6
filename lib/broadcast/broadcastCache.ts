import { RxSyncError } from '../errors.js';
import { checkOptions } from '../options/checkOptions.js';
import { broadcastCacheOptionSpec } from '../options/specs.js';
import type { QueryClient } from '../query/client.js';
import type { DehydratedState } from '../query/dehydrate.js';

/** The part of `BroadcastChannel` {@link broadcastCache} uses. */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent) => void) | null;
  close(): void;
}

/** Options of {@link broadcastCache}. */
export interface BroadcastCacheOptions {
  /** The channel's name: tabs using the same name share their cache. Default `'rxsync-cache'`. */
  name?: string;
  /** Makes the channel (tests, other platforms). Default: the platform's `BroadcastChannel`. */
  createChannel?: (name: string) => BroadcastChannelLike;
  /** Told when a message from another tab could not be applied. */
  onError?: (error: RxSyncError) => void;
}

/**
 * Shares a client's cached data with the other tabs of the origin, like TanStack's
 * `broadcastQueryClient`: each query whose data changes here (a fetch, `setData`, an optimistic
 * update) is posted on a BroadcastChannel, and data posted by other tabs is written into this
 * cache unless it already holds newer data for the key. Returns a function that stops it.
 * Without BroadcastChannel it does nothing. Queued writes are shared by the outbox itself.
 *
 * @example
 * ```ts
 * const client = createClient({ outbox });
 * const stop = broadcastCache(client, { name: 'my-app' });
 * ```
 */
export function broadcastCache(
  client: Pick<QueryClient, 'cache' | 'dehydrate' | 'hydrate'>,
  options: BroadcastCacheOptions = {},
): () => void {
  checkOptions('broadcastCache', options, broadcastCacheOptionSpec);
  const name = options.name ?? 'rxsync-cache';
  if (typeof name !== 'string' || name === '')
    throw new RxSyncError('E_OPTION_INVALID', 'broadcastCache: `name` must be a non-empty string');
  const create =
    options.createChannel ??
    (typeof BroadcastChannel === 'function' ? (channelName: string) => new BroadcastChannel(channelName) : undefined);
  if (create === undefined) return () => undefined;
  const channel = create(name);
  // What each key last held when it was posted or received (its updatedAt): only changes go out.
  const known = new Map<string, number>();
  let applying = false;

  const subscription = client.cache.changes$.subscribe(() => {
    if (applying) return; // our own writes of another tab's data are not echoed back
    const changed = client.dehydrate().queries.filter((query) => known.get(JSON.stringify(query.key)) !== query.updatedAt);
    if (changed.length === 0) return;
    for (const query of changed) known.set(JSON.stringify(query.key), query.updatedAt);
    const message: DehydratedState = { version: 1, queries: changed };
    try {
      channel.postMessage(message);
    } catch (cause) {
      options.onError?.(new RxSyncError('E_BROADCAST', `broadcastCache: cached data could not be posted (${String(cause)})`, { cause }));
    }
  });

  channel.onmessage = (event) => {
    const snapshot = event.data as DehydratedState;
    applying = true;
    try {
      client.hydrate(snapshot);
      for (const query of snapshot.queries) known.set(JSON.stringify(query.key), query.updatedAt);
    } catch (cause) {
      options.onError?.(cause instanceof RxSyncError ? cause : new RxSyncError('E_BROADCAST', String(cause), { cause }));
    } finally {
      applying = false;
    }
  };

  return () => {
    subscription.unsubscribe();
    channel.onmessage = null;
    channel.close();
  };
}
