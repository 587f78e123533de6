import type { PeerPresence } from '../lib/protocol/hubMessages.js';
import type { BusNotice, HubBus } from './hubBus.js';
import type { LoggedOp } from './opLog.js';
import { RemotePeers } from './remotePeers.js';
import type { RoomSequencer } from './roomSequencer.js';

/** A commit whose ops take more JSON than this is announced as a `head` (the others read the log). */
export const MAX_BUS_OPS_BYTES = 256 * 1024;

/** What a room's link to the other hubs needs from the room. */
export interface ClusterRoom {
  readonly name: string;
  readonly sequencer: RoomSequencer;
  /** This hub's live peers in the room. */
  localPeers(): PeerPresence[];
  /** Writes a frame to every live session of this hub. */
  tell(wire: string): void;
}

/**
 * One room's side of the bus: announces this hub's commits and presence to the other hubs serving
 * the room, and turns their events into ops for the sequencer and peers for the sessions.
 */
export class RoomCluster {
  readonly remote: RemotePeers;

  constructor(
    private readonly room: ClusterRoom,
    private readonly bus: HubBus,
    /** Ms the other hubs keep this hub's peers without a new `peers`. */
    private readonly ttl: number,
    now: () => number,
  ) {
    this.remote = new RemotePeers(now, ttl, (wire) => room.tell(wire));
  }

  /** Handles what the bus heard for this room. */
  notice(notice: BusNotice): void {
    if (notice.kind === 'resync') {
      // Events may have been lost: read the log, and ask every hub for its peers again.
      void this.room.sequencer.catchUp();
      this.started();
      this.peers();
      return;
    }
    if (notice.hub === this.bus.id) return;
    switch (notice.kind) {
      case 'ops':
        this.room.sequencer.announced(notice.ops);
        return;
      case 'head':
        this.room.sequencer.knownUpTo(notice.seq);
        return;
      case 'sync':
        this.peers();
        return;
      default:
        this.remote.heard(notice);
    }
  }

  /** The room was loaded here: every hub answers with its peers. */
  started(): void {
    this.bus.publish(this.room.name, { kind: 'sync', hub: this.bus.id });
  }

  /** Tells the others this hub's ops just committed (or only the head, when they are large). */
  committed(ops: readonly LoggedOp[]): void {
    if (ops.length === 0) return;
    const last = (ops.at(-1) as LoggedOp).seq;
    const event =
      JSON.stringify(ops).length > MAX_BUS_OPS_BYTES
        ? ({ kind: 'head', hub: this.bus.id, seq: last } as const)
        : ({ kind: 'ops', hub: this.bus.id, ops } as const);
    this.bus.publish(this.room.name, event);
  }

  /** Every live peer of this hub, with the ttl the others keep them for. */
  peers(): void {
    this.bus.publish(this.room.name, { kind: 'peers', hub: this.bus.id, peers: this.room.localPeers(), ttl: this.ttl });
  }

  /** One of this hub's peers joined or changed its state. */
  peer(presence: PeerPresence): void {
    this.bus.publish(this.room.name, { kind: 'peer', hub: this.bus.id, peer: presence });
  }

  /** One of this hub's peers left. */
  left(peer: string): void {
    this.bus.publish(this.room.name, { kind: 'left', hub: this.bus.id, peer });
  }

  /** This hub stops serving the room. */
  gone(): void {
    this.bus.publish(this.room.name, { kind: 'gone', hub: this.bus.id });
  }
}
