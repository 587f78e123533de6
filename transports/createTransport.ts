import { BehaviorSubject, Observable, Subject, distinctUntilChanged, filter, share, switchMap, type Subscriber } from 'rxjs';
import { RxSyncError } from '../lib/errors.js';
import { byeFrame, dataFrame, helloFrame, pongFrame, type Frame, type HelloFields } from '../lib/protocol/frames.js';
import { jsonCodec, type Codec } from '../lib/protocol/jsonCodec.js';
import { isRefreshRequest } from '../lib/protocol/hubMessages.js';
import { FRAME_INVALID, parseFrame } from '../lib/protocol/parseFrame.js';
import { heartbeat, type HeartbeatConfig } from '../operators/heartbeat.js';
import { roundTrip } from './roundTrip.js';
import { reconnect, type ReconnectConfig } from '../operators/reconnect.js';
import { helloFields$, type TokenSource } from './helloSource.js';
import type { HubList } from './hubUrls.js';
import type { Connector, LinkEvent } from './link.js';
import { platformOnline$ } from './platformOnline.js';
import { refusalFor, refusalOfError } from './refusal.js';
import type { SeqCursor, Transport, TransportState, TransportStatus } from './transport.js';

/** Reconnect settings of a transport (the `reconnect` operator's, minus its callbacks). */
export type TransportReconnectOptions = Omit<
  ReconnectConfig,
  'onReconnect' | 'isOpen' | 'retryNow$' | 'healthy$' | 'isFinal' | 'isImmediate' | 'onParked' | 'resume$'
>;

/** Options every transport accepts. */
export interface TransportOptions<In = unknown> {
  /** Wire codec. Default: JSON (`jsonCodec`). */
  codec?: Codec;
  /** Validates/converts each incoming payload; throwing drops the message with `E_FRAME_INVALID`. */
  parse?: (data: unknown) => In;
  /** Most messages `send` keeps while not open. Default 1000. */
  maxBuffered?: number;
  /** Backoff between reconnects, or `false` to end `messages$` with the first connection error. */
  reconnect?: TransportReconnectOptions | false;
  /** Dead-peer detection (ms), or `false` to turn it off. */
  heartbeat?: Pick<HeartbeatConfig, 'interval' | 'timeout'> | false;
  /** Resume position to start from (and share with other transports). Default: a fresh one at 0. */
  cursor?: SeqCursor;
  /**
   * Room and token for the hello (the hub needs both). A function is called on every connect, so
   * a refreshed token is used after a reconnect.
   */
  hello?: HelloFields | (() => HelloFields);
  /**
   * The token for the hello (replaces `hello.token`): a string, or a function called on every
   * connect, which may be async (e.g. refresh an expired session first). After the hub refused a
   * token (`status.state === 'refused'`), call `retry()` once the app has a new one. When the hub
   * asks for a fresh token before the current one expires (`refresh`), the function is called
   * again and its token sent in band: the connection goes on without a new hello.
   */
  token?: TokenSource;
  /**
   * The network flag: `true` (back online) makes a reconnect waiting out its backoff go at once;
   * while it is `false` the status is `offline` rather than `open`. Default: the platform's
   * `online`/`offline` events where there are any (browsers); pass `onlineManager.value$` to
   * follow the app's override too.
   */
  online$?: Observable<boolean>;
}

/** Defaults a specific transport supplies for options the caller left out. */
export interface TransportDefaults {
  reconnect: TransportReconnectOptions | false;
  heartbeat: Pick<HeartbeatConfig, 'interval' | 'timeout'> | false;
}

/** A hub draining (restart, deploy) asks its clients to reconnect at once, to another hub if there is one. */
const HUB_DRAINING = 'E_HUB_DRAINING';

/** Whether a connection ended because its hub is draining: its error frame, close code 1012 or HTTP answer said so. */
function isDrain(error: unknown): boolean {
  return error instanceof RxSyncError && (error.code === HUB_DRAINING || error.details?.['hubCode'] === HUB_DRAINING);
}

/**
 * Builds a {@link Transport} from a {@link Connector}: the shared machinery of every transport.
 * It owns the cold shared `messages$`, the bounded send buffer, status, hello/resume, sequence
 * dedupe, ping answers, heartbeat and reconnect, so each mechanism only opens a connection.
 * With `hubs`, it also chooses the hub of each attempt (`LinkContext.hub`): the next one in the
 * list after a connection failed or dropped; the resume position carries over unchanged.
 */
export function createTransport<In, Out>(
  kind: string,
  connector: Connector,
  options: TransportOptions<In>,
  defaults: TransportDefaults,
  hubs?: HubList,
): Transport<In, Out> {
  const codec = options.codec ?? jsonCodec;
  const maxBuffered = options.maxBuffered ?? 1000;
  const reconnectOptions = options.reconnect ?? defaults.reconnect;
  const heartbeatOptions = options.heartbeat ?? defaults.heartbeat;
  const parse = options.parse;

  let cursor: SeqCursor = options.cursor ?? { lastSeq: 0 };
  let pending: Out[] = [];
  let linkSend: ((wire: string) => void) | undefined;
  let connections = 0;
  /** Index in `hubs.urls` of the hub the current (or next) connection goes to. */
  let hub = hubs?.start ?? 0;
  const hubUrl = (): { url?: string } => (hubs === undefined ? {} : { url: hubs.urls[hub] as string });
  /** After a failure or drop, the next attempt goes to the next hub (round-robin). */
  const nextHub = (): void => {
    if (hubs !== undefined) hub = (hub + 1) % hubs.urls.length;
  };
  const status = new BehaviorSubject<TransportStatus>({ state: 'closed', connection: 0, via: kind, ...hubUrl() });
  const online$ = options.online$ ?? platformOnline$;
  let offline = false;
  /** A refusal the peer reported on the current connection (it then closes it). */
  let refusal: RxSyncError | undefined;
  /** Whether the current connection carried a data message yet (proof the peer accepted us). */
  let proven = false;
  /** The token the current connection runs on (its hello's, or the last one sent in band). */
  let connectionToken: string | undefined;
  /** Ends the current connection from this side (the hub said it is draining); unset between connections. */
  let endConnection: ((error: RxSyncError) => void) | undefined;
  // Talking to a hub that authenticates: its `refresh` requests are answered here, not passed on.
  const answersRefresh = options.token !== undefined || options.hello !== undefined;
  const healthy = new Subject<void>();
  const resume = new Subject<void>();
  const trip = roundTrip();
  const sendPing = (): void => linkSend?.(encode(trip.ping()));

  /** `error: null` clears the kept error; `undefined` keeps it. */
  const setStatus = (state: TransportState, error?: unknown, attempt?: number): void => {
    const previous = status.getValue();
    const kept = error === undefined ? previous.error : error === null ? undefined : error;
    const next: TransportStatus = {
      state: state === 'open' && offline ? 'offline' : state,
      connection: connections,
      via: kind,
      ...hubUrl(),
      ...(kept !== undefined ? { error: kept } : {}),
      ...(attempt !== undefined ? { attempt } : {}),
      // Only a connection that is up has a round-trip time worth showing.
      ...(trip.rtt !== undefined && (state === 'open' || state === 'offline') ? { rtt: trip.rtt } : {}),
    };
    status.next(next);
  };

  const encode = (frame: Frame): string => codec.encode(frame);

  const link$ = new Observable<LinkEvent>((subscriber) => {
    refusal = undefined;
    proven = false;
    const connecting = hub;
    endConnection = (error) => subscriber.error(error);
    const subscription = helloFields$(options.hello, options.token)
      .pipe(
        switchMap((fields) => {
          connectionToken = fields.token;
          return connector({
            hello: encode(helloFrame(cursor.lastSeq, cursor.withoutSnapshot === true ? { ...fields, snapshot: false } : fields)),
            bye: encode(byeFrame()),
            cursor,
            hub: connecting,
          });
        }),
      )
      .subscribe(subscriber);
    return () => {
      endConnection = undefined;
      subscription.unsubscribe();
    };
  });
  const watched$ = heartbeatOptions === false ? link$ : link$.pipe(heartbeat<LinkEvent>({ ...heartbeatOptions, ping: sendPing }));
  const resilient$ =
    reconnectOptions === false
      ? watched$
      : watched$.pipe(
          reconnect<LinkEvent>({
            ...reconnectOptions,
            retryNow$: online$.pipe(filter((online) => online)),
            isOpen: (event) => typeof event === 'object' && event.type === 'open',
            // Open is not enough: a hub accepts the socket before it refuses the hello.
            healthy$: healthy,
            isFinal: (error) => (refusal ??= refusalOfError(error, kind)) !== undefined,
            // A draining hub asks for it (PROTOCOL.md, close code 1012): no backoff before the next hub.
            isImmediate: isDrain,
            onParked: () => {
              linkSend = undefined;
              setStatus('refused', refusal);
            },
            resume$: resume,
            onReconnect: (attempt, _delay, error) => {
              linkSend = undefined;
              nextHub();
              setStatus('reconnecting', error, attempt);
            },
          }),
        );

  const onOpen = (send: (wire: string) => void): void => {
    linkSend = send;
    connections++;
    trip.reset(); // a new connection (maybe to another hub): measured afresh
    // Flush in order before announcing `open`, so nothing sent later can overtake the backlog.
    const backlog = pending;
    pending = [];
    for (const message of backlog) send(encode(dataFrame(message)));
    setStatus('open');
    // One ping at once, so the round-trip time is known from the start, not after the first silence.
    if (heartbeatOptions !== false) sendPing();
  };

  const reportInvalid = (error: unknown): void => {
    const coded =
      error instanceof RxSyncError && error.code === FRAME_INVALID
        ? error
        : new RxSyncError(FRAME_INVALID, 'Invalid protocol frame: rejected', { cause: error });
    setStatus(status.getValue().state, coded);
  };

  const onWire = (wire: string, subscriber: Subscriber<In>): void => {
    let frame: Frame;
    try {
      frame = parseFrame(codec.decode(wire));
    } catch (error) {
      reportInvalid(error);
      return;
    }
    switch (frame.type) {
      case 'data': {
        if (!proven) {
          // The peer talks to us: the connection is healthy, and an old error is history.
          proven = true;
          healthy.next();
          setStatus(status.getValue().state, null);
        }
        if (frame.seq === undefined && answersRefresh && isRefreshRequest(frame.data)) {
          answerRefresh();
          return;
        }
        if (frame.seq !== undefined) {
          // Resumable stream: a resend after reconnect (or a second transport) may repeat seqs.
          if (frame.seq <= cursor.lastSeq) return;
        }
        let message: In;
        try {
          message = parse === undefined ? (frame.data as In) : parse(frame.data);
        } catch (error) {
          reportInvalid(error);
          return;
        }
        if (frame.seq !== undefined) cursor.lastSeq = frame.seq;
        subscriber.next(message);
        return;
      }
      case 'ping':
        linkSend?.(encode(pongFrame(frame.id)));
        return;
      case 'error':
        // A refused hello: the peer closes the connection next, and it must not be retried as is.
        if (!proven) refusal ??= refusalFor(frame.code, frame.message, kind);
        setStatus(status.getValue().state, refusal ?? new RxSyncError(frame.code, `Peer reported: ${frame.message}`));
        // Do not wait for the hub to close: it takes no more ops, and the next hub is ready now.
        if (frame.code === HUB_DRAINING) endConnection?.(new RxSyncError(HUB_DRAINING, `The hub is draining: ${frame.message}`));
        return;
      case 'pong':
        if (trip.pong(frame.id)) setStatus(status.getValue().state);
        return;
      default:
        // hello and bye need no action here: any arrival already fed the heartbeat.
        return;
    }
  };

  /** Gets a fresh token (the `token` / `hello` function again) and sends it on the same connection. */
  const answerRefresh = (): void => {
    const send = linkSend;
    const connection = connections;
    helloFields$(options.hello, options.token).subscribe({
      next: ({ token }) => {
        // A static token, or one the hub already has, would not extend anything: the hub will close at expiry and we reconnect.
        if (token === undefined || token === connectionToken || send === undefined || linkSend !== send || connections !== connection)
          return;
        connectionToken = token;
        send(encode(dataFrame({ kind: 'token', token })));
      },
      error: (error: unknown) => setStatus(status.getValue().state, error),
    });
  };

  const messages$ = new Observable<In>((subscriber) => {
    setStatus('connecting');
    const network = online$.subscribe((online) => {
      offline = !online;
      const state = status.getValue().state;
      if (state === 'open' || state === 'offline') setStatus('open');
    });
    const subscription = resilient$.subscribe({
      next: (event) => {
        if (typeof event === 'string') onWire(event, subscriber);
        else if (event.type === 'open') onOpen(event.send);
        else reportInvalid(event.error);
      },
      error: (error: unknown) => {
        linkSend = undefined;
        setStatus('closed', error);
        nextHub(); // a new subscription starts on the next hub
        subscriber.error(error);
      },
      complete: () => {
        linkSend = undefined;
        setStatus('closed');
        subscriber.complete();
      },
    });
    subscription.add(network);
    return () => {
      subscription.unsubscribe();
      linkSend = undefined;
      if (status.getValue().state !== 'closed') setStatus('closed');
    };
  }).pipe(share());

  return {
    kind,
    messages$,
    status$: status.pipe(distinctUntilChanged()),
    get cursor() {
      return cursor;
    },
    set cursor(shared: SeqCursor) {
      cursor = shared;
    },
    send(message: Out): void {
      if (linkSend !== undefined) {
        linkSend(encodeOutgoing(message));
        return;
      }
      if (pending.length >= maxBuffered) {
        throw new RxSyncError('E_SEND_OVERFLOW', `Send buffer full (${maxBuffered} messages) while ${kind} is not open`, {
          details: { maxBuffered, transport: kind },
        });
      }
      encodeOutgoing(message); // fail now, not at flush time, if the message cannot be encoded
      pending.push(message);
    },
    takePending(): Out[] {
      const taken = pending;
      pending = [];
      return taken;
    },
    retry(): void {
      if (status.getValue().state === 'refused') setStatus('connecting');
      resume.next();
    },
  };

  function encodeOutgoing(message: Out): string {
    try {
      return encode(dataFrame(message));
    } catch (error) {
      throw new RxSyncError('E_SEND_INVALID', `Cannot encode the message for ${kind}`, { cause: error });
    }
  }
}
