import type { PeerPresence } from '../lib/protocol/hubMessages.js';
import type { LoggedOp } from './opLog.js';

/**
 * What hubs tell each other about one room over a {@link HubBus}. Every event names the hub that
 * sent it, so a hub can ignore its own and expire the peers of a hub that went silent.
 *
 * - `ops`: ops the sender just committed, ascending by seq (a contiguous run of the room's log).
 * - `head`: the sender committed up to `seq` but did not carry the ops (too large for one
 *   message); receivers behind it read them from the log.
 * - `peers`: every live peer the sender has in the room, sent on a timer and when asked by `sync`;
 *   a receiver drops the sender's peers if none comes within `ttl` ms.
 * - `peer` / `left`: one of the sender's peers joined or changed its presence state / left.
 * - `sync`: the sender just started serving the room: every hub answers with `peers`.
 * - `gone`: the sender stops serving the room (unloaded, drained, closed): drop its peers now.
 */
export type BusEvent =
  | { readonly kind: 'ops'; readonly hub: string; readonly ops: readonly LoggedOp[] }
  | { readonly kind: 'head'; readonly hub: string; readonly seq: number }
  | { readonly kind: 'peers'; readonly hub: string; readonly peers: readonly PeerPresence[]; readonly ttl: number }
  | { readonly kind: 'peer'; readonly hub: string; readonly peer: PeerPresence }
  | { readonly kind: 'left'; readonly hub: string; readonly peer: string }
  | { readonly kind: 'sync'; readonly hub: string }
  | { readonly kind: 'gone'; readonly hub: string };

/** What a room's listener hears: an event of another hub, or `resync` when events may have been lost. */
export type BusNotice = BusEvent | { readonly kind: 'resync' };

/**
 * The channel between the hub processes that serve the same rooms (e.g. `redisBus`). It is
 * best effort by design: an event may be lost, delayed or (after a reconnect) repeated. The op log
 * stays the only truth: a hub that sees a gap in the seqs, a `head` past its own, or a `resync`
 * reads what it lacks from the log, so clients get every op once and in order whatever the bus
 * does.
 *
 * Contract:
 * - `join(room, listener)` resolves once events published afterwards by any hub reach `listener`;
 *   events for the room arrive in the order each sender published them.
 * - `publish` never throws and never waits: when the bus is down the event is dropped.
 * - A hub hears its own events too (it ignores them by `hub`).
 * - After the connection was lost and came back, every joined room's listener gets `resync`.
 * - Everything received is validated: a malformed message is dropped (and counted), never passed on.
 */
export interface HubBus {
  /** This hub's id on the bus: random per process, put into every event it publishes. */
  readonly id: string;
  /** Whether the bus is connected now (events published while not connected are lost). */
  readonly connected: boolean;
  /** Starts hearing the room's events; one listener per room. */
  join(room: string, listener: (notice: BusNotice) => void): Promise<void>;
  /** Stops hearing the room's events. */
  leave(room: string): Promise<void>;
  /** Sends an event to every hub in the room (best effort). */
  publish(room: string, event: BusEvent): void;
  /** Disconnects. Later calls to `publish` are ignored, `join` fails. */
  close(): Promise<void>;
}
