/**
 * Collects unobserved cache entries once their gc time ran out, with one timer per cache
 * instead of one per entry: a hydrate of a thousand entries arms one timer, not a thousand, and
 * an entry waiting for collection costs a Map slot instead of a timer object. Deadlines are read
 * from `Date.now`, the clock timers run on (fake timers move both together).
 */
export class GcQueue<E> {
  /** Entries waiting for collection, with their deadline (ms since epoch). */
  private readonly due = new Map<E, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;

  constructor(
    /** Called for each entry whose deadline passed (it decides whether the entry really goes). */
    private readonly expire: (entry: E) => void,
  ) {}

  /** (Re)plans `entry`'s collection `delay` ms from now. */
  schedule(entry: E, delay: number): void {
    const at = Date.now() + delay;
    this.due.delete(entry); // re-inserted last: the Map stays roughly in deadline order
    this.due.set(entry, at);
    if (at < this.timerAt) this.arm(at);
  }

  /** Drops `entry`'s planned collection (it is observed again, or leaves the cache). */
  cancel(entry: E): void {
    this.due.delete(entry);
    if (this.due.size === 0) this.disarm();
  }

  /** How many entries wait for collection. */
  get size(): number {
    return this.due.size;
  }

  private arm(at: number): void {
    this.disarm();
    this.timerAt = at;
    this.timer = setTimeout(() => this.sweep(), Math.max(0, at - Date.now()));
    (this.timer as { unref?: () => void }).unref?.(); // Node may exit while only gc is planned
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private sweep(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = Date.now();
    const expired: E[] = [];
    let next = Infinity;
    for (const [entry, at] of this.due) {
      if (at <= now) expired.push(entry);
      else if (at < next) next = at;
    }
    for (const entry of expired) this.due.delete(entry);
    if (next !== Infinity) this.arm(next);
    for (const entry of expired) this.expire(entry);
  }
}
