import { Observable, type Subscriber } from 'rxjs';
import { RxSyncError } from '../lib/errors.js';
import { createTransport, type TransportOptions } from './createTransport.js';
import type { LinkEvent } from './link.js';
import type { Transport } from './transport.js';
import { checkOptions } from '../lib/options/checkOptions.js';
import { memoryPairOptionSpec } from './optionSpecs.js';

/** Options of {@link memoryPair}: the network conditions to simulate, plus the usual transport options. */
export interface MemoryPairOptions extends Omit<TransportOptions<unknown>, 'parse' | 'cursor'> {
  /** Delivery delay of every frame, in ms. Default 0 (next microtask, still asynchronous). */
  delay?: number;
  /** Probability in [0, 1] that a frame is lost. Default 0. */
  loss?: number;
  /** Probability in [0, 1] that a frame is held back a random extra while, so later ones overtake it. Default 0. */
  reorder?: number;
  /** Random source for loss and reordering (pass a seeded one to replay a run). Default `Math.random`. */
  random?: () => number;
}

/** One end of a {@link memoryPair}. */
export interface MemoryEnd<In, Out> extends Transport<In, Out> {
  /** Hands this end a raw wire frame as if its peer had sent it (for malformed-input tests). */
  deliverRaw(wire: string): void;
}

interface Side {
  sink: Subscriber<LinkEvent> | undefined;
  open: boolean;
}

/**
 * Two transports connected to each other in memory, for tests: what one end sends, the other's
 * `messages$` receives. An end is `open` while both ends are subscribed; when one end unsubscribes
 * the other sees the connection drop and reconnects when it comes back, like a client whose server
 * restarts. Delay, loss and reordering can be injected (seeded) to test the layers above under a
 * bad network.
 *
 * @example
 * ```ts
 * const [client, server] = memoryPair<Reply, Request>({ delay: 5, loss: 0.1, random: seededRandom(42) });
 * ```
 */
export function memoryPair<A = unknown, B = unknown>(options: MemoryPairOptions = {}): [MemoryEnd<A, B>, MemoryEnd<B, A>] {
  checkOptions('memoryPair', options, memoryPairOptionSpec);
  const delay = options.delay ?? 0;
  const loss = options.loss ?? 0;
  const reorder = options.reorder ?? 0;
  const random = options.random ?? Math.random;
  const sides: [Side, Side] = [
    { sink: undefined, open: false },
    { sink: undefined, open: false },
  ];

  const later = (wait: number, task: () => void): void => {
    if (wait === 0) queueMicrotask(task);
    else setTimeout(task, wait);
  };

  const transmit = (from: 0 | 1, wire: string): void => {
    if (loss > 0 && random() < loss) return;
    const to = sides[from === 0 ? 1 : 0];
    // Like TCP: a frame goes to the connection that was there when it was sent, even if the sender
    // closes meanwhile; it is dropped only if that receiving connection is gone.
    const sink = to.open ? to.sink : undefined;
    if (sink === undefined) return;
    const extra = reorder > 0 && random() < reorder ? 1 + random() * Math.max(10, delay * 2) : 0;
    later(delay + extra, () => {
      if (!sink.closed) sink.next(wire);
    });
  };

  const connectorFor = (index: 0 | 1) => (): Observable<LinkEvent> =>
    new Observable<LinkEvent>((subscriber) => {
      const self = sides[index];
      const peer = sides[index === 0 ? 1 : 0];
      self.sink = subscriber;
      if (peer.sink !== undefined) {
        // Both present: open both ends (the peer first, so it is ready when we start sending).
        peer.open = true;
        self.open = true;
        peer.sink.next({ type: 'open', send: (wire) => transmit(index === 0 ? 1 : 0, wire) });
        subscriber.next({ type: 'open', send: (wire) => transmit(index, wire) });
      }
      return () => {
        const wasOpen = self.open;
        self.sink = undefined;
        self.open = false;
        if (wasOpen && peer.sink !== undefined) {
          const peerSink = peer.sink;
          peer.sink = undefined;
          peer.open = false;
          // The peer learns of the close after the frames already in flight, as over a socket.
          later(delay, () => peerSink.error(new RxSyncError('E_CONNECTION_LOST', 'The other end of the memory pair went away')));
        }
      };
    });

  const transportOptions = { reconnect: { initialDelay: 5, maxDelay: 50 }, ...options };
  const makeEnd = <In, Out>(index: 0 | 1): MemoryEnd<In, Out> => {
    const transport = createTransport<In, Out>('memory', connectorFor(index), transportOptions, { reconnect: {}, heartbeat: false });
    const side = sides[index];
    return Object.assign(transport, { deliverRaw: (wire: string) => void (side.open ? side.sink?.next(wire) : undefined) });
  };
  return [makeEnd<A, B>(0), makeEnd<B, A>(1)];
}
