import type { PeerPresence } from '../lib/protocol/hubMessages.js';
import type { BusEvent } from './hubBus.js';
import { dataWire } from './wire.js';

interface HubPeers {
  readonly peers: Map<string, PeerPresence>;
  /** When the peers are dropped unless the hub sends `peers` again. */
  expires: number;
}

/**
 * The peers other hubs have in one room, as their bus events tell: each change becomes a `peer`
 * or `left` frame for this hub's sessions (through `tell`). A hub that stops sending `peers` (it
 * crashed, or its bus broke) loses its peers after the ttl it announced.
 */
export class RemotePeers {
  private readonly hubs = new Map<string, HubPeers>();

  constructor(
    private readonly now: () => number,
    /** Ms a hub heard of only by `peer` stays without a `peers`. */
    private readonly ttl: number,
    private readonly tell: (wire: string) => void,
  ) {}

  /** Every peer of every other hub. */
  all(): PeerPresence[] {
    const out: PeerPresence[] = [];
    for (const { peers } of this.hubs.values()) out.push(...peers.values());
    return out;
  }

  /** Takes in a presence event of another hub (others are ignored). */
  heard(event: BusEvent): void {
    switch (event.kind) {
      case 'peers': {
        const entry = this.entry(event.hub);
        entry.expires = this.now() + event.ttl;
        const listed = new Set<string>();
        for (const presence of event.peers) {
          listed.add(presence.peer);
          this.upsert(entry, presence);
        }
        for (const peer of [...entry.peers.keys()]) if (!listed.has(peer)) this.remove(entry, peer);
        return;
      }
      case 'peer':
        this.upsert(this.entry(event.hub), event.peer);
        return;
      case 'left': {
        const entry = this.hubs.get(event.hub);
        if (entry !== undefined) this.remove(entry, event.peer);
        return;
      }
      case 'gone':
        this.drop(event.hub);
        return;
      default:
        return;
    }
  }

  /** Drops the peers of hubs whose last `peers` is older than their ttl. */
  expire(): void {
    const at = this.now();
    for (const [hub, entry] of [...this.hubs]) if (entry.expires <= at) this.drop(hub);
  }

  private entry(hub: string): HubPeers {
    let entry = this.hubs.get(hub);
    if (entry === undefined) {
      entry = { peers: new Map(), expires: this.now() + this.ttl };
      this.hubs.set(hub, entry);
    }
    return entry;
  }

  private upsert(entry: HubPeers, presence: PeerPresence): void {
    const known = entry.peers.get(presence.peer);
    if (known !== undefined && JSON.stringify(known) === JSON.stringify(presence)) return;
    entry.peers.set(presence.peer, presence);
    this.tell(dataWire({ kind: 'peer', ...presence }));
  }

  private remove(entry: HubPeers, peer: string): void {
    if (entry.peers.delete(peer)) this.tell(dataWire({ kind: 'left', peer }));
  }

  private drop(hub: string): void {
    const entry = this.hubs.get(hub);
    if (entry === undefined) return;
    this.hubs.delete(hub);
    for (const peer of entry.peers.keys()) this.tell(dataWire({ kind: 'left', peer }));
  }
}
