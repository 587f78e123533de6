/**
 * A token bucket: `burst` tokens, refilled at `rate` per second. `take()` spends one token and
 * says whether there was one; `wait()` says how long until there is. Time is passed in, so tests need no clock tricks.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Ms until `take` can succeed again (0 when a token is there now): what `Retry-After` says. */
  wait(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.rate) * 1000;
  }

  private refill(now: number): void {
    // Lazily: no timer per connection.
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }
}
