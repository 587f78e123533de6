import { Observable } from 'rxjs';
import { RxSyncError } from '../lib/errors.js';
import type { HubCore } from '../server/hubCore.js';
import type { Link } from '../server/link.js';
import type { HubSession } from '../server/session.js';
import type { Connector, LinkEvent } from '../transports/link.js';

/**
 * Connects a client transport to the hub's session logic in memory, like a socket would: the hub
 * gets a {@link Link} (exactly what its WebSocket endpoint hands it), the client gets the wire
 * frames. Both directions deliver asynchronously and in order (one microtask per frame, the way
 * `memoryPair` does). While `reachable$` says false the hub cannot be reached: an open connection
 * drops and a new one waits for the network, as when a device goes offline.
 */
export function hubConnector(core: HubCore, reachable$: Observable<boolean> | undefined): Connector {
  return (context) =>
    new Observable<LinkEvent>((subscriber) => {
      let session: HubSession | undefined;
      let ended = false;
      const drop = (error: RxSyncError): void => {
        if (ended) return;
        ended = true;
        session?.gone();
        subscriber.error(error);
      };
      const open = (): void => {
        const deliver = (wire: string): void =>
          queueMicrotask(() => {
            if (!ended) subscriber.next(wire);
          });
        const link: Link = {
          transport: 'ws',
          pulls: false,
          write: (wire) => deliver(typeof wire === 'string' ? wire : new TextDecoder().decode(wire)),
          writeBatch: (batch) => batch.ops.forEach((op) => deliver(op.wire)),
          flushed: () => Promise.resolve(),
          buffered: () => 0,
          end: (closeCode, reason) =>
            // After the frames already written (the error frame that says why), as over a socket.
            queueMicrotask(() =>
              drop(
                new RxSyncError('E_CONNECTION_LOST', `The hub closed the connection (${closeCode} ${reason})`, { details: { closeCode } }),
              ),
            ),
        };
        const opened = core.endpoints.open(link);
        session = opened;
        const send = (wire: string): void =>
          queueMicrotask(() => {
            if (!ended) void opened.receive(wire);
          });
        // The hello goes first: the transport flushes its backlog as soon as it sees `open`.
        send(context.hello);
        subscriber.next({ type: 'open', send });
      };

      // Offline, a connection in place drops; a new attempt hangs (no timer, no retry loop) until
      // the network is back, as a request on a dead network does.
      const watch = reachable$?.subscribe((reachable) => {
        if (!reachable && session !== undefined) {
          queueMicrotask(() => drop(new RxSyncError('E_CONNECTION_LOST', 'The in-memory hub became unreachable: the client went offline')));
        } else if (reachable && session === undefined && !ended) open();
      });
      if (watch === undefined) open();
      return () => {
        ended = true;
        watch?.unsubscribe();
        session?.gone();
      };
    });
}
