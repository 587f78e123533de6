import { randomBytes } from 'node:crypto';
import { RxSyncError } from '../lib/errors.js';
import { checkOptions } from '../lib/options/checkOptions.js';
import { MAX_BUS_EVENT_BYTES, parseBusEvent } from './busEvents.js';
import type { BusEvent, BusNotice, HubBus } from './hubBus.js';
import { openRedisConnection, type RedisConnection } from './redisConnection.js';

/** Options of {@link redisBus}. */
export interface RedisBusOptions {
  /** Redis URL (`redis://`, `rediss://` for TLS, with user and password if needed). Default `redis://127.0.0.1:6379`. */
  readonly url?: string;
  /** Put before every channel name, so several apps can share one Redis. Default `'rxsync:'`. */
  readonly prefix?: string;
  /**
   * Told about connection errors (each failed reconnect attempt too) and about every message
   * dropped as invalid (an `E_BUS_INVALID` {@link RxSyncError} naming the problem). Default: ignore.
   */
  readonly onError?: (error: unknown) => void;
}

/** A {@link HubBus} over Redis pub/sub, with a count of the messages it refused. */
export interface RedisBus extends HubBus {
  /** Messages received on a joined room's channel and dropped as invalid (bad JSON, unknown kind, oversize, …). */
  readonly dropped: number;
}

/** One joined room: its listener, and whether Redis confirmed its subscription (node-redis then keeps it across reconnects). */
interface Joined {
  readonly room: string;
  listener: (notice: BusNotice) => void;
  subscribed: boolean;
}

/**
 * The channel of a room. Room names are arbitrary strings: every character outside a readable set
 * becomes `%` and four hex digits of its UTF-16 unit, so the mapping is one-to-one (even for lone
 * surrogates, which UTF-8 would merge) and `%` itself is always escaped.
 */
export function roomChannel(prefix: string, room: string): string {
  return `${prefix}room:${room.replace(/[^A-Za-z0-9_.:@-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}`;
}

function checkUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'a redis:// or rediss:// URL';
  try {
    const { protocol } = new URL(value);
    return protocol === 'redis:' || protocol === 'rediss:' ? undefined : 'a redis:// or rediss:// URL';
  } catch {
    return 'a redis:// or rediss:// URL';
  }
}

/**
 * Connects a hub to the other hub processes of a deployment through Redis **pub/sub**: one
 * channel per room (`<prefix>room:<room>`), one subscriber connection and one publishing
 * connection per bus, events as JSON. Resolves once both connections are up; fails with
 * `E_BUS_UNREACHABLE` when Redis cannot be reached at start, and later reconnects by itself.
 *
 * Why pub/sub and not Streams: the op log is the truth and the bus only says "this changed", so a
 * lost event costs one log read, not data. Pub/sub keeps nothing in Redis (Streams need a key per
 * room, trimming, and one blocking XREAD re-issued whenever a room is joined or left), and it was
 * as fast or faster in `bench/bus.bench.mjs` (figures under `## Hub bus` in bench/RESULTS.md).
 *
 * Why node-redis (`redis`, an optional peer dependency, loaded on the first call) and not ioredis:
 * Redis maintains both, but ioredis's own README calls its maintenance best-effort and recommends
 * node-redis for new projects. Both speak RESP3 in their current majors and both have sharded
 * pub/sub. node-redis is written in TypeScript, turns its offline queue off with one option (a
 * publish while down fails at once instead of replaying stale events late) and re-subscribes
 * every channel before it reports `ready` after a reconnect, which is when `resync` is due. It
 * is the larger install (about 15 MB against 2 MB), paid once on a server.
 *
 * - `publish` never throws nor waits; while disconnected the event is dropped.
 * - Everything received is validated (`parseBusEvent`); a bad message is dropped, counted in
 *   `dropped` and reported to `onError`, never passed on.
 * - After a reconnect every joined room's listener gets `{ kind: 'resync' }` once its channel is
 *   subscribed again. A room joined while Redis is down gets `resync` once it is subscribed.
 *
 * @example
 * ```ts
 * const bus = await redisBus({ url: process.env.REDIS_URL, onError: (e) => console.warn(e) });
 * await bus.join('room-1', (notice) => console.log(notice));
 * bus.publish('room-1', { kind: 'sync', hub: bus.id });
 * ```
 */
export async function redisBus(options: RedisBusOptions = {}): Promise<RedisBus> {
  checkOptions('redisBus', options, { url: checkUrl, prefix: 'string', onError: 'function' });
  const url = options.url ?? 'redis://127.0.0.1:6379';
  const prefix = options.prefix ?? 'rxsync:';
  const report = (error: unknown): void => {
    try {
      options.onError?.(error);
    } catch {
      // A failing error handler must not break delivery to the other rooms.
    }
  };
  const id = randomBytes(6).toString('base64url');
  const subscriber = await openRedisConnection(url, `rxsync-bus-sub-${id}`, report);
  let publisher: RedisConnection;
  try {
    publisher = await openRedisConnection(url, `rxsync-bus-pub-${id}`, report);
  } catch (error) {
    subscriber.destroy();
    throw error;
  }

  const joined = new Map<string, Joined>(); // by channel
  // Channels left while Redis was down: node-redis still holds them and re-subscribes them.
  const stale = new Set<string>();
  let closed = false;
  let dropped = 0;

  // A listener that throws must not stop delivery to the other rooms, nor reach node-redis.
  const tell = (entry: Joined, notice: BusNotice): void => {
    try {
      entry.listener(notice);
    } catch (error) {
      report(error);
    }
  };

  // One listener for every channel: a room left and joined again never has two.
  const onMessage = (message: string, channel: string): void => {
    const entry = joined.get(channel);
    if (entry === undefined) return; // left meanwhile
    let event: BusEvent;
    try {
      event = parseBusEvent(message, MAX_BUS_EVENT_BYTES);
    } catch (error) {
      dropped++;
      report(error instanceof RxSyncError ? withRoom(error, entry.room) : error);
      return;
    }
    tell(entry, event);
  };

  // Subscribes a joined room on the current connection; true when Redis confirmed it.
  const subscribe = async (channel: string, entry: Joined): Promise<boolean> => {
    try {
      await subscriber.subscribe(channel, onMessage);
    } catch (error) {
      if (!closed) report(error);
      return false;
    }
    if (joined.get(channel) !== entry || closed) return false;
    entry.subscribed = true;
    return true;
  };

  const unsubscribe = async (channel: string): Promise<void> => {
    try {
      await subscriber.unsubscribe(channel);
      stale.delete(channel);
    } catch {
      stale.add(channel); // down: undone after the reconnect
    }
  };

  subscriber.on('ready', () => {
    // Reconnected. node-redis re-sent SUBSCRIBE for every channel it held before it reported
    // ready; a room whose subscription never completed is subscribed now. Either way events may
    // have been missed while down: each listener hears `resync` once its channel is live.
    for (const [channel, entry] of joined) {
      if (entry.subscribed) tell(entry, { kind: 'resync' });
      else void subscribe(channel, entry).then((ok) => ok && tell(entry, { kind: 'resync' }));
    }
    for (const channel of stale) if (!joined.has(channel)) void unsubscribe(channel);
  });

  return {
    id,
    get connected() {
      return !closed && subscriber.isReady && publisher.isReady;
    },
    get dropped() {
      return dropped;
    },
    async join(room, listener) {
      if (closed) throw new RxSyncError('E_BUS_CLOSED', 'The bus is closed');
      const channel = roomChannel(prefix, room);
      const existing = joined.get(channel);
      if (existing !== undefined) {
        existing.listener = listener;
        return;
      }
      const entry: Joined = { room, listener, subscribed: false };
      joined.set(channel, entry);
      stale.delete(channel);
      // While Redis is down the room waits for the reconnect (and then hears `resync`).
      if (subscriber.isReady) await subscribe(channel, entry);
    },
    async leave(room) {
      const channel = roomChannel(prefix, room);
      if (!joined.delete(channel)) return;
      await unsubscribe(channel);
    },
    publish(room, event) {
      if (closed || !publisher.isReady) return;
      let text: string;
      try {
        text = JSON.stringify(event);
      } catch (error) {
        report(error);
        return;
      }
      if (text.length * 3 > MAX_BUS_EVENT_BYTES && Buffer.byteLength(text) > MAX_BUS_EVENT_BYTES) {
        // Every receiver would drop it: say so here, where the sender can send `head` instead.
        report(
          new RxSyncError(
            'E_BUS_INVALID',
            `Bus event of room ${JSON.stringify(room.slice(0, 128))} is over ${MAX_BUS_EVENT_BYTES} bytes: not sent`,
          ),
        );
        return;
      }
      publisher.publish(roomChannel(prefix, room), text).catch((error: unknown) => {
        if (!closed) report(error);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      joined.clear();
      stale.clear();
      await Promise.all([quit(subscriber), quit(publisher)]);
    },
  };
}

function withRoom(error: RxSyncError, room: string): RxSyncError {
  return new RxSyncError(error.code, `${error.message} (room ${JSON.stringify(room.slice(0, 128))})`, {
    details: { ...error.details, room: room.slice(0, 128) },
  });
}

async function quit(connection: RedisConnection): Promise<void> {
  try {
    if (connection.isReady) await connection.close();
    else connection.destroy();
  } catch {
    connection.destroy();
  }
}
