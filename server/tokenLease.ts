/// <reference types="node" />
import { backgroundTimer } from './backgroundTimer.js';

/** What a {@link TokenLease} does when its times come. */
export interface LeaseEvents {
  /** The token is about to expire: ask the client for a fresh one (`expiresIn` ms left). */
  refresh(expiresIn: number): void;
  /** The token expired and no fresh one came. */
  expire(): void;
}

/** Longest delay `setTimeout` takes (about 24.8 days); longer waits are chained. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * The time a session's credentials are good for. The refresh request goes out `refreshBefore` ms
 * before the expiry, or halfway through the time left when that is later (a short-lived token is not
 * asked again at once, so refreshes never loop); the expiry comes at `expiresAt`. `renew` replaces
 * both with the times of a fresh token.
 */
export class TokenLease {
  private refreshTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly events: LeaseEvents,
    private readonly refreshBefore: number,
    /** Wall clock in ms since the epoch (token times are wall-clock times). */
    private readonly clock: () => number = Date.now,
  ) {}

  /** Starts over for credentials that expire at `expiresAt` (ms since the epoch); `undefined`: they never do. */
  renew(expiresAt: number | undefined): void {
    this.stop();
    if (expiresAt === undefined || expiresAt === Infinity) return;
    const now = this.clock();
    const left = Math.max(0, expiresAt - now);
    const refreshAt = now + Math.max(left - this.refreshBefore, left / 2);
    this.refreshTimer = this.at(refreshAt, () => {
      this.refreshTimer = undefined;
      this.events.refresh(Math.max(0, Math.round(expiresAt - this.clock())));
    });
    this.expiryTimer = this.at(expiresAt, () => {
      this.stop();
      this.events.expire();
    });
  }

  /** Cancels both times (the session ended). */
  stop(): void {
    clearTimeout(this.refreshTimer);
    clearTimeout(this.expiryTimer);
    this.refreshTimer = undefined;
    this.expiryTimer = undefined;
  }

  /** A timer at wall-clock time `when`; chained past the longest `setTimeout`. Never keeps the process alive. */
  private at(when: number, run: () => void): NodeJS.Timeout {
    const wait = Math.max(0, when - this.clock());
    const timer = setTimeout(
      () => {
        if (wait > MAX_DELAY) {
          const next = this.at(when, run);
          if (this.refreshTimer === timer) this.refreshTimer = next;
          if (this.expiryTimer === timer) this.expiryTimer = next;
        } else run();
      },
      Math.min(wait, MAX_DELAY),
    );
    backgroundTimer(timer);
    return timer;
  }
}
