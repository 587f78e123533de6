/** What the {@link GcQueue} keeps on each entry: its deadline, so queueing costs no Map slot. */
export interface GcSlot {
  /**
   * @internal When the entry may be collected, in ms after the queue's epoch (a small integer, so
   * no heap number per entry); `null` when it is in the queue but was cancelled; `undefined` when
   * it is not in the queue.
   */
  gcAt: number | null | undefined;
}

/**
 * Collects unobserved cache entries once their gc time ran out, with one timer per cache
 * instead of one per entry: a hydrate of a thousand entries arms one timer, not a thousand, and
 * an entry waiting for collection costs an array slot instead of a timer object. Deadlines are
 * read from `Date.now`, the clock timers run on (fake timers move both together).
 */
export class GcQueue<E extends GcSlot> {
  /** Entries in the queue (each once), cancelled ones included until the next sweep. */
  private queued: E[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;
  /** Entries in the queue with a deadline (not cancelled): at 0, no timer is left running. */
  private waiting = 0;
  /** Deadlines are kept relative to this. */
  private readonly epoch = Date.now();

  constructor(
    /** Called for each entry whose deadline passed (it decides whether the entry really goes). */
    private readonly expire: (entry: E) => void,
  ) {}

  /**
   * (Re)plans `entry`'s collection `delay` ms after `now` (default: the clock now; a hydrate reads
   * the clock once for all its entries: `Date.now()` is a system call on some machines).
   */
  schedule(entry: E, delay: number, now: number = Date.now()): void {
    // Math.ceil keeps a small integer (no heap number per entry) and never plans a deadline early.
    const at = Math.ceil(now - this.epoch + delay);
    if (entry.gcAt === undefined) this.queued.push(entry);
    if (typeof entry.gcAt !== 'number') this.waiting++;
    entry.gcAt = at;
    if (at < this.timerAt) this.arm(at);
  }

  /** Drops `entry`'s planned collection (it is observed again, or leaves the cache). */
  cancel(entry: E): void {
    if (typeof entry.gcAt !== 'number') return;
    entry.gcAt = null; // its slot is dropped at the next sweep
    if (--this.waiting === 0) this.clear(); // every slot left is a cancelled one: drop them and the timer
  }

  /** Forgets every planned collection (the cache was cleared). */
  clear(): void {
    for (const entry of this.queued) entry.gcAt = undefined;
    this.queued = [];
    this.waiting = 0;
    this.disarm();
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private arm(at: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.sweep(), Math.max(0, at - (Date.now() - this.epoch)));
    (this.timer as { unref?: () => void }).unref?.(); // Node may exit while only gc is planned
  }

  private sweep(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = Date.now() - this.epoch;
    const expired: E[] = [];
    const waiting: E[] = [];
    let next = Infinity;
    for (const entry of this.queued) {
      const at = entry.gcAt;
      if (at === null || at === undefined) entry.gcAt = undefined;
      else if (at <= now) {
        entry.gcAt = undefined;
        expired.push(entry);
      } else {
        waiting.push(entry);
        if (at < next) next = at;
      }
    }
    this.queued = waiting;
    this.waiting = waiting.length;
    if (next !== Infinity) this.arm(next);
    for (const entry of expired) this.expire(entry);
  }
}
