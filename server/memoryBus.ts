import { randomBytes } from 'node:crypto';
import { RxSyncError } from '../lib/errors.js';
import type { BusEvent, BusNotice, HubBus } from './hubBus.js';

/** A set of in-process {@link HubBus}es that hear each other: for tests and single-process demos. */
export interface MemoryBusNetwork {
  /** A new hub's end of the network. */
  bus(): HubBus;
  /** While true every published event is dropped, as a broken pub/sub connection would. */
  dropping: boolean;
  /** Tells every room listener of every bus `resync` (as after a reconnect). */
  resync(): void;
}

/**
 * Hubs in one process sharing rooms without Redis: `const net = memoryBusNetwork();
 * createHub({ log, bus: net.bus() })` for each hub, all over one shared log. Events are delivered
 * on a later macrotask, in publish order, like a real broker.
 */
export function memoryBusNetwork(): MemoryBusNetwork {
  const listeners = new Map<string, Map<string, (notice: BusNotice) => void>>();
  const network: MemoryBusNetwork = {
    dropping: false,
    bus: () => {
      const id = randomBytes(6).toString('base64url');
      let closed = false;
      const rooms = new Set<string>();
      return {
        id,
        get connected() {
          return !closed && !network.dropping;
        },
        async join(room, listener) {
          if (closed) throw new RxSyncError('E_BUS_CLOSED', 'The bus is closed');
          rooms.add(room);
          let byHub = listeners.get(room);
          if (byHub === undefined) listeners.set(room, (byHub = new Map()));
          byHub.set(id, listener);
        },
        async leave(room) {
          rooms.delete(room);
          listeners.get(room)?.delete(id);
        },
        publish(room: string, event: BusEvent) {
          if (closed || network.dropping) return;
          // A structured copy, as a broker would carry bytes, not references.
          const copy = JSON.parse(JSON.stringify(event)) as BusEvent;
          setImmediate(() => {
            for (const listener of listeners.get(room)?.values() ?? []) listener(copy);
          });
        },
        async close() {
          closed = true;
          for (const room of rooms) listeners.get(room)?.delete(id);
          rooms.clear();
        },
      };
    },
    resync: () => {
      for (const byHub of listeners.values()) for (const listener of byHub.values()) listener({ kind: 'resync' });
    },
  };
  return network;
}
