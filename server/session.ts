import type { Json } from '../lib/crdt/json.js';
import { isRxSyncError } from '../lib/errors.js';
import type { HelloFrame, Frame } from '../lib/protocol/frames.js';
import { parseClientMessage, type ClientMessage, type HubMessage } from '../lib/protocol/hubMessages.js';
import { jsonCodec } from '../lib/protocol/jsonCodec.js';
import { FRAME_INVALID, parseFrame } from '../lib/protocol/parseFrame.js';
import { randomId } from '../lib/randomId.js';
import { CLOSE_NORMAL, closeFor } from './closeCodes.js';
import type { BroadcastBatch } from './broadcastBatch.js';
import type { HubMetrics } from './hubMetrics.js';
import type { InboundGate } from './inboundGate.js';
import type { ResolvedLimits } from './limits.js';
import type { Link, Wire } from './link.js';
import type { BudgetedConnection, OutboundBudget } from './outboundBudget.js';
import { TokenBucket } from './tokenBucket.js';
import type { TokenLease } from './tokenLease.js';
import { utf8Length } from './utf8.js';
import { dataWire, errorWire, pongWire } from './wire.js';

/** Where a session is in its life. */
export type SessionState = 'greeting' | 'joining' | 'live' | 'closed';

/** What a session needs from the hub. */
export interface SessionHost {
  readonly limits: ResolvedLimits;
  readonly metrics: HubMetrics;
  /** The hub-wide budget of unsent bytes. */
  readonly outbound: OutboundBudget;
  /** The hub-wide cap on inbound bytes in flight. */
  readonly inbound: InboundGate;
  now(): number;
  /** Authenticates and joins; the session is `joining` meanwhile. */
  hello(session: HubSession, frame: HelloFrame): Promise<void>;
  /**
   * A validated message from a live session. `bytes` of inbound budget come with it: whoever ends
   * up holding the message (the room's writer until its commit) releases them.
   */
  message(session: HubSession, message: ClientMessage, receivedAt: number, bytes: number): void;
  /** The session ended (either side): leave its room, forget it. */
  closed(session: HubSession): void;
}

/** How a session ended, for the HTTP endpoints that answer a POST after the fact. */
export interface SessionEnd {
  readonly code: string;
  readonly message: string;
  readonly http: number;
}

/** Frames queued while a hello is being authenticated, at most. */
const MAX_INBOX = 1024;

/**
 * One client connection's protocol state: hello first, then validated frames; rate limit, presence
 * state and resume position. Transport-independent: it talks to the client only through a {@link Link}.
 */
export class HubSession implements BudgetedConnection {
  /** The peer id other clients see; random per connection. */
  readonly peer = randomId();
  state: SessionState = 'greeting';
  /** Set once joined. */
  room: string | undefined;
  principal: string | undefined;
  presence: Json = null;
  /** Set by authentication: every op is rejected `E_READ_ONLY`. */
  readOnly = false;
  /** Set by authentication when the token expires: asks for a fresh one, then ends the session. */
  lease: TokenLease | undefined;
  /** Push links: highest seq written. Polling: position in the room's sequence. */
  sentSeq = 0;
  /** Polling: log reads never start below this (what a snapshot covered). */
  floor = 0;
  readonly openedAt: number;
  lastInbound: number;
  lastPing = 0;
  ended: SessionEnd | undefined;
  private readonly bucket: TokenBucket;
  private inbox: string[] = [];

  constructor(
    readonly link: Link,
    private readonly host: SessionHost,
  ) {
    const now = host.now();
    this.openedAt = now;
    this.lastInbound = now;
    this.bucket = new TokenBucket(host.limits.messagesPerSecond, host.limits.messageBurst, now);
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /**
   * Handles one inbound wire frame. Returns a promise only for a hello (resolved once the session
   * joined or was refused), so the HTTP endpoints can answer the hello POST with the outcome.
   */
  receive(wire: string): void | Promise<void> {
    const now = this.host.now();
    if (!this.admit(now)) return;
    const bytes = wire.length;
    this.host.inbound.take(bytes);
    // A UTF-16 unit is at most 3 UTF-8 bytes: only long strings need their bytes counted.
    const max = this.host.limits.maxFrameBytes;
    if (wire.length > max || (wire.length * 3 > max && utf8Length(wire) > max)) {
      this.host.inbound.release(bytes);
      this.error('E_TOO_LARGE', `Frame larger than ${this.host.limits.maxFrameBytes} bytes`);
      return;
    }
    if (this.state === 'joining') {
      // Authentication is async: keep order by holding later frames until the session is live.
      if (this.inbox.length < MAX_INBOX) this.inbox.push(wire);
      else {
        this.host.inbound.release(bytes);
        this.fail('E_RATE_LIMITED', 'Too many frames before the hello was answered');
      }
      return;
    }
    return this.handle(wire, now);
  }

  /**
   * Counts one inbound frame (binary ones and empty POSTs too) as activity and against the rate
   * limit, before anything else is done with it. False when the session is closed or was just closed
   * for going over the rate (`E_RATE_LIMITED`).
   */
  admit(now: number = this.host.now()): boolean {
    if (this.closed) return false;
    this.lastInbound = now;
    if (this.bucket.take(now)) return true;
    this.fail('E_RATE_LIMITED', `More than ${this.host.limits.messagesPerSecond} frames per second`);
    return false;
  }

  /** Validates and dispatches one frame that passed the rate and size checks. */
  private handle(wire: string, now: number): void | Promise<void> {
    const bytes = wire.length;
    let frame: Frame;
    try {
      frame = parseFrame(jsonCodec.decode(wire));
    } catch (error) {
      this.host.inbound.release(bytes);
      this.error(FRAME_INVALID, isRxSyncError(error) ? error.message : 'Invalid protocol frame');
      return;
    }
    if (frame.type !== 'data') this.host.inbound.release(bytes);
    switch (frame.type) {
      case 'hello':
        if (this.state !== 'greeting') {
          this.error('E_HELLO_REPEATED', 'Only one hello per connection');
          return;
        }
        this.state = 'joining';
        return this.host.hello(this, frame).then(() => this.drainInbox());
      case 'data': {
        if (this.state !== 'live') {
          this.host.inbound.release(bytes);
          this.error('E_HELLO_REQUIRED', 'Send a hello (with a room) before data');
          return;
        }
        let message: ClientMessage;
        try {
          message = parseClientMessage(frame.data, { maxOpsPerMessage: this.host.limits.maxOpsPerMessage });
        } catch (error) {
          this.host.inbound.release(bytes);
          this.error(isRxSyncError(error) ? error.code : 'E_MESSAGE_INVALID', isRxSyncError(error) ? error.message : 'Invalid message');
          return;
        }
        // Ops hold their bytes until committed; anything else is done with once handled.
        this.host.message(this, message, now, message.kind === 'ops' ? bytes : 0);
        if (message.kind !== 'ops') this.host.inbound.release(bytes);
        return;
      }
      case 'ping':
        this.link.write(pongWire(frame.id));
        return;
      case 'bye':
        this.close(CLOSE_NORMAL, 'bye');
        return;
      default:
        // pong: its arrival already counted as activity; error: the client's own report, nothing to do.
        return;
    }
  }

  /** Sends a connection-scoped hub message. */
  send(message: HubMessage): void {
    this.write(dataWire(message));
  }

  /** Sends an already encoded connection-scoped frame. */
  write(wire: Wire): void {
    if (this.closed) return;
    this.link.write(wire);
    this.checkBuffer();
  }

  /** Sends a frame of the room's sequence unless this session already has it. */
  writeSequenced(wire: Wire, seq: number): void {
    if (this.closed || seq <= this.sentSeq) return;
    this.sentSeq = seq;
    this.link.write(wire, seq);
    this.checkBuffer();
  }

  /** Sends the ops of one commit, those this session does not have yet, in one write when the link can. */
  writeBatch(batch: BroadcastBatch): void {
    if (this.closed || batch.lastSeq <= this.sentSeq) return;
    if (this.link.writeBatch === undefined || batch.firstSeq <= this.sentSeq) {
      for (const op of batch.ops) this.writeSequenced(op.bytes, op.seq);
      return;
    }
    this.sentSeq = batch.lastSeq;
    this.link.writeBatch(batch);
    this.checkBuffer();
  }

  /** An error frame; the connection stays up. Counted by code. */
  error(code: string, message: string): void {
    this.host.metrics.rejects.inc({ code });
    this.write(errorWire(code, message));
  }

  /** An error frame, then the connection is closed with the code's close code. */
  fail(code: string, message: string): void {
    if (this.closed) return;
    this.error(code, message);
    this.ended = { code, message, http: closeFor(code).http };
    this.close(closeFor(code).ws, code);
  }

  /** Ends the session from the hub's side. */
  close(closeCode: number, reason: string): void {
    if (this.closed) return;
    this.state = 'closed';
    this.dropInbox();
    this.link.end(closeCode, reason);
    this.host.closed(this);
  }

  /** The client went away (socket closed, stream aborted). */
  gone(): void {
    if (this.closed) return;
    this.state = 'closed';
    this.dropInbox();
    this.host.closed(this);
  }

  private drainInbox(): void {
    while (this.inbox.length > 0 && this.state === 'live') {
      const wire = this.inbox.shift() as string;
      void this.handle(wire, this.host.now());
    }
    // Refused or closed meanwhile: what was queued is dropped with the session.
    this.dropInbox();
  }

  private dropInbox(): void {
    let bytes = 0;
    for (const wire of this.inbox) bytes += wire.length;
    this.inbox = [];
    this.host.inbound.release(bytes);
  }

  /** Bytes written to this connection and not yet sent. */
  queuedBytes(): number {
    return this.link.buffered();
  }

  /**
   * Closes the connection as too slow (4503 `E_SLOW_CONSUMER`). Resumable: nothing is lost, the
   * client reconnects with its last seq and gets what it missed from the log.
   */
  cutAsSlow(reason: 'connection' | 'budget'): void {
    if (this.closed) return;
    this.ended = { code: 'E_SLOW_CONSUMER', message: 'Too much data waiting to be sent', http: closeFor('E_SLOW_CONSUMER').http };
    this.host.metrics.rejects.inc({ code: 'E_SLOW_CONSUMER' });
    this.host.metrics.slowConsumerCuts.inc({ reason });
    // No error frame: the buffer is what is full.
    this.close(closeFor('E_SLOW_CONSUMER').ws, 'E_SLOW_CONSUMER');
  }

  private checkBuffer(): void {
    const bytes = this.link.buffered();
    if (bytes > this.host.limits.maxBufferedBytes) this.cutAsSlow('connection');
    else this.host.outbound.record(this, bytes);
  }
}
