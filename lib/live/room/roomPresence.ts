import type { Json } from '../../crdt/json.js';
import type { HubMessage, PeerPresence } from '../../protocol/hubMessages.js';
import { signal, type ReadonlySignal } from '../../signals/signal.js';

/** The presence messages of the hub. */
export type PresenceMessage = Extract<HubMessage, { kind: 'peers' | 'peer' | 'left' }>;

/**
 * Who else is in the room, and this client's own presence state: announced on each join (the hub
 * forgets it with the connection), sent at once while joined.
 */
export class RoomPresence {
  private readonly peers = signal<ReadonlyMap<string, PeerPresence>>(new Map());
  private state: Json | undefined;

  /** Everyone else present in the room (the hub never lists a connection to itself). */
  readonly peers$: ReadonlySignal<readonly PeerPresence[]> = this.peers.select((map) => [...map.values()]);

  constructor(private readonly send: (state: Json) => void) {}

  /** Sets our state (`null` clears it); sent now when `joined`, else on the next join. */
  set(state: Json, joined: boolean): void {
    this.state = state;
    if (joined) this.send(state);
  }

  /** A connection joined: announce our state again. */
  announce(): void {
    if (this.state !== undefined) this.send(this.state);
  }

  /** The room is closed: nobody is known to be there. */
  clear(): void {
    this.peers.set(new Map());
  }

  receive(message: PresenceMessage): void {
    switch (message.kind) {
      case 'peers':
        this.peers.set(new Map(message.peers.map((p) => [p.peer, p])));
        return;
      case 'peer': {
        const next = new Map(this.peers.get());
        next.set(message.peer, message.principal === undefined ? { peer: message.peer, state: message.state } : message);
        this.peers.set(next);
        return;
      }
      case 'left': {
        if (!this.peers.get().has(message.peer)) return;
        const next = new Map(this.peers.get());
        next.delete(message.peer);
        this.peers.set(next);
        return;
      }
    }
  }
}
