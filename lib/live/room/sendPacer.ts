import type { Json } from '../../crdt/json.js';
import type { ClientMessage, HubOp, WelcomeLimits } from '../../protocol/hubMessages.js';

/** The hub's defaults, assumed when its welcome announces no limits. */
export const DEFAULT_HUB_LIMITS: WelcomeLimits = { messagesPerSecond: 100, burst: 200, opsPerMessage: 512, maxFrameBytes: 1024 * 1024 };

/**
 * Share of the hub's rate and burst the pacer uses: the hub counts every frame (hello, pings,
 * pongs) and refills on its own clock, so the app's messages keep well clear of its limit.
 */
const SHARE = 0.5;

/** Bytes kept free in a frame for the envelope around the ops (`{"v":1,"type":"data",…}`). */
const ENVELOPE_BYTES = 256;

/** Bytes of `text` as UTF-8, without encoding it. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff) {
      bytes += 4; // a surrogate pair: one 4-byte character
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Sends a room's ops and presence under the limits the hub announced: a token bucket at half the
 * hub's rate decides when a message may go, and whatever accumulated meanwhile goes together, split
 * only by `opsPerMessage` and the frame size. A fast writer therefore sends fewer, larger messages
 * instead of being closed for its rate (4429).
 */
export class SendPacer {
  private limits: WelcomeLimits = DEFAULT_HUB_LIMITS;
  private tokens = 0;
  private last = 0;
  private ops: HubOp[] = [];
  private presence: { readonly state: Json } | undefined;
  private scheduled = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly send: (message: ClientMessage) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** A new connection joined: its limits, and a full bucket (the hub's starts full too). */
  start(limits: WelcomeLimits | undefined): void {
    this.stop();
    this.limits = limits ?? DEFAULT_HUB_LIMITS;
    this.tokens = this.capacity;
    this.last = Date.now();
  }

  /** The connection is gone: nothing queued is sent (unacknowledged ops go again after the next welcome). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.scheduled = false;
    this.ops = [];
    this.presence = undefined;
  }

  /** Queues ops to send, in order. */
  sendOps(ops: readonly HubOp[]): void {
    if (ops.length === 0) return;
    this.ops.push(...ops);
    this.schedule();
  }

  /** Queues a presence state; only the latest one queued is sent. */
  sendPresence(state: Json): void {
    this.presence = { state };
    this.schedule();
  }

  private get capacity(): number {
    return Math.max(1, Math.floor(this.limits.burst * SHARE));
  }

  private get rate(): number {
    return this.limits.messagesPerSecond * SHARE;
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }

  private schedule(): void {
    if (this.scheduled || this.timer !== undefined) return;
    this.scheduled = true;
    // One microtask: edits made in the same tick share a message.
    queueMicrotask(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    this.refill();
    try {
      while (this.tokens >= 1 && (this.presence !== undefined || this.ops.length > 0)) {
        this.tokens -= 1;
        if (this.presence !== undefined) {
          const { state } = this.presence;
          this.presence = undefined;
          this.send({ kind: 'presence', state });
        } else {
          this.send({ kind: 'ops', ops: this.takeBatch() });
        }
      }
    } catch (error) {
      // Buffer full or connection gone: the next welcome sends everything unacknowledged again.
      this.ops = [];
      this.onError(error);
      return;
    }
    if (this.presence === undefined && this.ops.length === 0) return;
    // Out of tokens: wait for the next one; what queues meanwhile joins the batch.
    const wait = Math.ceil(((1 - this.tokens) / this.rate) * 1000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, wait);
  }

  /** The next message's ops: up to `opsPerMessage`, and as many as fit in a frame (at least one). */
  private takeBatch(): HubOp[] {
    const budget = this.limits.maxFrameBytes - ENVELOPE_BYTES;
    let bytes = 0;
    let count = 0;
    while (count < this.ops.length && count < this.limits.opsPerMessage) {
      const size = utf8Length(JSON.stringify(this.ops[count])) + 1;
      if (count > 0 && bytes + size > budget) break;
      bytes += size;
      count++;
    }
    return this.ops.splice(0, count);
  }
}
