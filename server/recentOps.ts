/**
 * The encoded frames of a room's latest ops, by seq, in a ring. Joining clients and polls that are
 * only a little behind are served from here, so a frame is encoded once and the log is not read.
 */
export class RecentOps {
  private readonly ring: (string | undefined)[];
  /** Highest seq held; the ring holds `(last - size, last]`. */
  private last = 0;
  private held = 0;

  constructor(private readonly size: number) {
    this.ring = new Array<string | undefined>(size);
  }

  /** Records the frame of `seq` (`undefined`: a skipped op, sent to nobody); seqs must arrive in order without gaps. */
  push(seq: number, wire: string | undefined): void {
    if (seq !== this.last + 1) this.held = 0; // a gap (should not happen): start over
    this.ring[seq % this.size] = wire;
    this.last = seq;
    this.held = Math.min(this.held + 1, this.size);
  }

  /** The frames with `afterSeq < seq <= upTo`, at most `limit`, or `undefined` when some are not held. */
  slice(afterSeq: number, upTo: number, limit: number): { seq: number; wire: string }[] | undefined {
    if (afterSeq < this.last - this.held || upTo > this.last) return undefined;
    const out: { seq: number; wire: string }[] = [];
    for (let seq = afterSeq + 1; seq <= upTo && out.length < limit; seq++) {
      const wire = this.ring[seq % this.size];
      if (wire !== undefined) out.push({ seq, wire });
    }
    return out;
  }
}
