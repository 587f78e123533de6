import type { HubMetrics } from './hubMetrics.js';

/**
 * A fixed cap on inbound bytes in flight, hub-wide: frames received but not yet handled, and ops
 * validated but not yet committed. Past the cap the WebSocket endpoint pauses reading the sockets
 * that deliver more (TCP then pushes back on the senders) until commits bring it under again.
 */
export class InboundGate {
  private inFlight = 0;
  private waiting: (() => void)[] = [];

  constructor(
    /** Bytes in flight at which sockets are paused. */
    readonly limit: number,
    private readonly metrics: HubMetrics,
  ) {}

  /** Whether a socket that just delivered a frame should stop reading for now. */
  get full(): boolean {
    return this.inFlight >= this.limit;
  }

  take(bytes: number): void {
    this.inFlight += bytes;
    this.metrics.inboundBytes.set(this.inFlight);
  }

  release(bytes: number): void {
    if (bytes === 0) return;
    this.inFlight = Math.max(0, this.inFlight - bytes);
    this.metrics.inboundBytes.set(this.inFlight);
    if (!this.full && this.waiting.length > 0) {
      const resume = this.waiting;
      this.waiting = [];
      for (const fn of resume) {
        try {
          fn();
        } catch {
          // A socket that closed meanwhile has nothing to resume.
        }
      }
    }
  }

  /** Calls `resume` once the bytes in flight are under the cap again. */
  whenOpen(resume: () => void): void {
    if (this.full) this.waiting.push(resume);
    else resume();
  }
}
