import { BehaviorSubject, distinctUntilChanged, Observable, share, Subject, Subscription } from 'rxjs';
import type { SeqCursor, Transport, TransportStatus } from 'rxsync/transports';

/** A message as it arrived, with the transport that carried it and, for room ops, its sequence number. */
export interface Delivery {
  readonly message: unknown;
  readonly via: string;
  /** The room sequence number of an `op` (the shared cursor right after the transport accepted it). */
  readonly seq?: number;
}

/** One transport whose carrier the app picks at run time, plus what it delivered. */
export interface SwitchableTransport<K extends string> extends Transport<unknown, unknown> {
  /** The candidate in use. */
  readonly active$: Observable<K>;
  /** Moves the traffic to another candidate; the room keeps its cursor and its unsent messages. */
  use(key: K): void;
  /** Every message handed to the app (after the transports dropped resent sequence numbers). */
  readonly deliveries$: Observable<Delivery>;
}

/**
 * A transport made of several (`webSocket`, `sse`, `polling` pointed at the same hub), of which the
 * app chooses the one in use. Like rxsync's `fallback`, every candidate shares one resume cursor,
 * so a hand-over neither skips nor repeats a sequenced message, and messages still buffered in the
 * old candidate move to the new one. `fallback` picks the candidate itself (the best one that
 * works); this one lets the user pick it from a dropdown.
 *
 * `client.live` binds a room to one transport object, so the room is given this object and the
 * switch happens inside it: the old candidate is unsubscribed (its connection closes), the new one
 * connects and says hello with the shared cursor, and the hub resends exactly what was missed.
 */
export function switchable<K extends string>(candidates: Record<K, Transport<unknown, unknown>>, initial: K): SwitchableTransport<K> {
  const pick = (key: K): Transport<unknown, unknown> => candidates[key];
  const all = Object.values(candidates) as Transport<unknown, unknown>[];
  let cursor: SeqCursor = { lastSeq: 0 };
  const shareCursor = (shared: SeqCursor): void => {
    cursor = shared;
    for (const candidate of all) candidate.cursor = shared;
  };
  shareCursor(cursor);

  const active = new BehaviorSubject<K>(initial);
  const status = new BehaviorSubject<TransportStatus>({ state: 'closed', connection: 0, via: pick(initial).kind });
  const deliveries = new Subject<Delivery>();
  let connections = 0;
  let lastOpen = '';
  // Set while messages$ is subscribed: moves the live connection to another candidate.
  let moveTo: ((key: K) => void) | undefined;

  const messages$ = new Observable<unknown>((subscriber) => {
    let current: Subscription | undefined;
    const start = (key: K): void => {
      const candidate = pick(key);
      const subscription = new Subscription();
      // Status first, so unsubscribing silences it before the candidate reports its own close.
      subscription.add(
        candidate.status$.subscribe((next) => {
          if (next.state === 'closed') return; // only the whole transport closes (teardown below)
          if (next.state === 'open') {
            const id = `${key}:${next.connection}`;
            if (id !== lastOpen) {
              lastOpen = id;
              connections++;
            }
          }
          status.next({ ...next, via: candidate.kind, connection: connections });
        }),
      );
      subscription.add(
        candidate.messages$.subscribe({
          next: (message) => {
            const isOp = typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === 'op';
            deliveries.next({ message, via: candidate.kind, ...(isOp ? { seq: cursor.lastSeq } : {}) });
            subscriber.next(message);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        }),
      );
      current = subscription;
    };
    moveTo = (key: K): void => {
      const previous = active.getValue();
      if (previous === key) return;
      const leftover = pick(previous).takePending();
      current?.unsubscribe();
      active.next(key);
      for (const message of leftover) pick(key).send(message);
      start(key);
    };
    status.next({ state: 'connecting', connection: connections, via: pick(active.getValue()).kind });
    start(active.getValue());
    return () => {
      moveTo = undefined;
      current?.unsubscribe();
      status.next({ ...status.getValue(), state: 'closed' });
    };
  });

  return {
    kind: 'switchable',
    messages$: messages$.pipe(share()),
    status$: status.pipe(distinctUntilChanged()),
    active$: active.pipe(distinctUntilChanged()),
    deliveries$: deliveries.asObservable(),
    get cursor() {
      return cursor;
    },
    set cursor(shared: SeqCursor) {
      shareCursor(shared);
    },
    use(key: K): void {
      if (moveTo !== undefined) moveTo(key);
      else {
        // Not connected: the next connection starts on `key`, with whatever was buffered so far.
        const previous = active.getValue();
        if (previous === key) return;
        const leftover = pick(previous).takePending();
        active.next(key);
        for (const message of leftover) pick(key).send(message);
      }
    },
    send: (message) => pick(active.getValue()).send(message),
    takePending: () => pick(active.getValue()).takePending(),
    retry: () => pick(active.getValue()).retry(),
  };
}
