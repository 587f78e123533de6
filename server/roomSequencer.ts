import { lacksDocKind, loadDocKinds } from './docKindLoader.js';
import { docKindOf } from '../lib/crdt/docTypes.js';
import type { HubMetrics } from './hubMetrics.js';
import type { LoggedOp, OpLog } from './opLog.js';

/** Ops read from the log per page when filling a gap. */
const FILL_PAGE = 500;
/** Ops from the bus held ahead of the head at most; past it they are left to the log. */
const MAX_AHEAD = 10_000;

/** The decoded state of an op that failed to decode: the room skips it. */
export const UNREADABLE: unique symbol = Symbol('unreadable');

/** An op of the room's log on its way to the room, with its decoded state. */
export interface SequencedOp extends LoggedOp {
  /** Decoded op body (`undefined` in end-to-end rooms, {@link UNREADABLE} when it failed to decode). */
  readonly state: unknown;
  /** When this hub received it from its client (ops of other hubs: not set). */
  readonly receivedAt?: number;
}

/** The room as its sequencer sees it. */
export interface SequencedRoom {
  readonly name: string;
  readonly e2e: boolean;
  /** Seq of the last op delivered. */
  readonly head: number;
  /** Applies and broadcasts a contiguous run of ops starting at `head + 1`. */
  deliver(ops: readonly SequencedOp[]): void;
}

/** What a sequencer needs from its hub. */
export interface SequencerHost {
  readonly log: OpLog;
  readonly metrics: HubMetrics;
  reportError(error: unknown): void;
}

/**
 * The one way ops reach a room: the ops its own writer committed and the ops other hubs announced
 * on the bus go in, in any order and any number of times; the room gets each seq once, in order,
 * starting at its head + 1. Ops ahead of the head wait here while the gap before them is read from
 * the log, the only truth (a bus may lose, delay or repeat events). With one hub, its writer's ops
 * always come next, so they go straight through.
 */
export class RoomSequencer {
  private readonly ahead = new Map<number, SequencedOp>();
  private waiters: { readonly seq: number; readonly resolve: () => void }[] = [];
  /** Highest seq known to be in the log (from the bus, a probe, a commit). */
  private known = 0;
  private askLog = false;
  private filling: Promise<void> | undefined;
  private again = false;
  private reading = false;

  constructor(
    private readonly room: SequencedRoom,
    private readonly host: SequencerHost,
  ) {}

  /**
   * Ops this hub's writer just appended (a contiguous run). Returns `undefined` once they are
   * delivered, or a promise that resolves when they are (ops of other hubs come before them).
   */
  committed(ops: readonly SequencedOp[]): Promise<void> | undefined {
    const last = ops.at(-1)?.seq ?? 0;
    this.accept(ops);
    if (this.room.head >= last) return undefined;
    return new Promise((resolve) => this.waiters.push({ seq: last, resolve }));
  }

  /** Ops another hub announced (ascending); decoded here, as {@link Room.load} does. */
  announced(ops: readonly LoggedOp[]): void {
    this.host.metrics.busOps.add(ops.length);
    const fresh = ops.filter((logged) => logged.seq > this.room.head && !this.ahead.has(logged.seq));
    if (!this.room.e2e && lacksDocKind(fresh.map((logged) => logged.op.type))) {
      // Another hub took ops of a type whose code this hub has not loaded yet: load it first (the
      // sequencer delivers by seq, so handling them a little later keeps the order).
      void loadDocKinds().then(() => this.accept(fresh.map((logged) => this.decode(logged))));
      return;
    }
    if (this.ahead.size + fresh.length > MAX_AHEAD) {
      // Too much to hold: the log has them all, so remember how far they go and read them from there.
      this.knownUpTo(fresh.reduce((max, logged) => Math.max(max, logged.seq), 0));
      return;
    }
    this.accept(fresh.map((logged) => this.decode(logged)));
  }

  /** Another hub committed up to `seq`: read what is missing if that is past the head. */
  knownUpTo(seq: number): void {
    this.known = Math.max(this.known, seq);
    if (seq > this.room.head) void this.fill();
  }

  /** Reads the log's head and whatever this room lacks up to it (after a resync, on a probe, before answering a read). */
  catchUp(): Promise<void> {
    this.askLog = true;
    return this.fill();
  }

  /** The state of a logged op for the room: decoded, or {@link UNREADABLE}. */
  decode(logged: LoggedOp): SequencedOp {
    if (this.room.e2e) return { ...logged, state: undefined };
    try {
      return { ...logged, state: docKindOf(logged.op.type).decode(logged.op.body) };
    } catch {
      return { ...logged, state: UNREADABLE };
    }
  }

  private accept(ops: readonly SequencedOp[]): void {
    for (const op of ops) {
      // The writer's own copy wins: it carries the receipt time for the fan-out metric.
      if (op.seq > this.room.head && (op.receivedAt !== undefined || !this.ahead.has(op.seq))) this.ahead.set(op.seq, op);
    }
    this.deliverReady();
    if (this.ahead.size > 0) {
      // A gap before the buffered ops: read it from the log.
      for (const seq of this.ahead.keys()) if (seq > this.known) this.known = seq;
      void this.fill();
    }
  }

  private deliverReady(): void {
    const run: SequencedOp[] = [];
    let next = this.room.head + 1;
    for (let op = this.ahead.get(next); op !== undefined; op = this.ahead.get(next)) {
      this.ahead.delete(next);
      run.push(op);
      next++;
    }
    if (run.length > 0) this.room.deliver(run);
    if (this.waiters.length === 0) return;
    const head = this.room.head;
    const done = this.waiters.filter((w) => w.seq <= head);
    this.waiters = this.waiters.filter((w) => w.seq > head);
    for (const waiter of done) waiter.resolve();
  }

  /** One fill at a time; a request during a fill makes it go round once more. */
  private fill(): Promise<void> {
    if (this.filling !== undefined) {
      this.again = true;
      return this.filling;
    }
    const run = this.readGap();
    // A fill with nothing to read ends before it is stored: nothing to wait for then.
    if (this.reading) this.filling = run;
    return run;
  }

  private async readGap(): Promise<void> {
    const { log, metrics } = this.host;
    let read = 0;
    this.reading = true;
    try {
      do {
        this.again = false;
        if (this.askLog) {
          this.askLog = false;
          this.known = Math.max(this.known, await log.head(this.room.name));
        }
        while (this.room.head < this.known) {
          const from = this.room.head;
          const page = await log.read(this.room.name, from, Math.min(FILL_PAGE, this.known - from));
          // Not visible yet (or never): the next event or probe tries again.
          if (page.length === 0) break;
          const fresh = page.filter((logged) => logged.seq > this.room.head && !this.ahead.has(logged.seq));
          read += fresh.length;
          for (const logged of fresh) this.ahead.set(logged.seq, this.decode(logged));
          this.deliverReady();
          // The log gave no op right after the head (it should not happen): stop rather than spin.
          if (this.room.head === from) break;
        }
      } while (this.again);
    } catch (error) {
      // The log still has everything: the next event, probe or read tries again.
      this.host.reportError(error);
    } finally {
      if (read > 0) {
        metrics.gapFills.inc();
        metrics.gapFillOps.add(read);
      }
      // Here, not in a later callback: a request arriving after the last round starts a new fill.
      this.filling = undefined;
      this.reading = false;
    }
  }
}
