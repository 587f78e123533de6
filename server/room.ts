import type { Json } from '../lib/crdt/json.js';
import { isRxSyncError } from '../lib/errors.js';
import { docKindOf, type DocType } from '../lib/crdt/docTypes.js';
import { DEFAULT_MAX_DRIFT } from '../lib/crdt/hlc.js';
import { decodeStamp } from '../lib/crdt/stamp.js';
import type { HubOp, OpsMessage, PeerPresence, SealedSnapshotMessage } from '../lib/protocol/hubMessages.js';
import { BroadcastBatch, type BroadcastOp } from './broadcastBatch.js';
import { RecentOps } from './recentOps.js';
import type { BusNotice } from './hubBus.js';
import type { LoggedOp, RoomSnapshot } from './opLog.js';
import { RoomCluster } from './roomCluster.js';
import { RoomDocs } from './roomDocs.js';
import { lacksDocKind, loadDocKinds } from './docKindLoader.js';
import type { RoomHost } from './roomHost.js';
import { RoomSequencer, UNREADABLE, type SequencedOp, type SequencedRoom } from './roomSequencer.js';
import { RoomWriter, type WriterRoom } from './roomWriter.js';
import { SealedSnapshots, type SealingRoom } from './sealedSnapshots.js';
import type { HubSession } from './session.js';
import { utf8Bytes, utf8Length } from './utf8.js';
import { dataWire } from './wire.js';

/** Codes of op-body errors sent to the client as they are (the others are `E_OP_INVALID`). */
const NAMED_REFUSALS: ReadonlySet<string> = new Set(['E_YJS_UPDATE_INVALID', 'E_DOC_TYPE_UNAVAILABLE']);

/** Ops read from the log per page while loading, replaying or answering a poll. */
export const PAGE = 500;

/**
 * One room: its sessions, its sequence head, the merged state of its documents (not for end-to-end
 * rooms, whose op bodies the hub cannot read), its writer and its sequencer (the one way ops reach
 * {@link Room.deliver}). Loaded on first join from the latest snapshot plus the ops after it. With a
 * bus, its {@link RoomCluster} links it to the other hubs serving the same room.
 */
export class Room implements WriterRoom, SequencedRoom, SealingRoom {
  /** Every session that joined (or is joining). */
  readonly sessions = new Set<HubSession>();
  /** Sessions past their replay: they get broadcasts and are shown to others. */
  private readonly live = new Set<HubSession>();
  private readonly recent = new RecentOps(1024);
  private readonly writer: RoomWriter;
  readonly sequencer: RoomSequencer;
  /** Set when the hub has a bus. */
  readonly cluster: RoomCluster | undefined;
  private sinceSnapshot: number;
  private readonly sealed: SealedSnapshots;

  private constructor(
    readonly name: string,
    readonly e2e: boolean,
    /** Seq of the last op applied and broadcast. */
    public head: number,
    private readonly docs: RoomDocs | undefined,
    private snapshot: { readonly seq: number; readonly wire: string } | undefined,
    private readonly host: RoomHost,
    /** Seqs of logged ops every hub skips (see {@link skips}): sent to nobody. */
    private readonly skippedSeqs: Set<number>,
  ) {
    this.writer = new RoomWriter(this, host);
    this.sequencer = new RoomSequencer(this, host);
    this.cluster = host.bus === undefined ? undefined : new RoomCluster(this, host.bus, host.presenceTtl, host.now);
    this.sinceSnapshot = head - (snapshot?.seq ?? 0);
    this.sealed = new SealedSnapshots(this, host);
  }

  /** Reads the room from the log. */
  static async load(name: string, e2e: boolean, host: RoomHost): Promise<Room> {
    const head = await host.log.head(name);
    const stored = await host.log.snapshot(name);
    if (e2e) {
      // The clients' sealed snapshot, served as stored: the hub cannot read it.
      const sealed = stored === undefined ? undefined : { seq: stored.seq, wire: dataWire({ kind: 'snapshot', ...stored }) };
      return new Room(name, true, head, undefined, sealed, host, new Set());
    }
    if (stored !== undefined && lacksDocKind(stored.docs.map((entry) => entry.type))) await loadDocKinds();
    const docs = stored === undefined ? new RoomDocs() : RoomDocs.fromSnapshot(name, stored.docs);
    const skipped = new Set<number>();
    let at = stored?.seq ?? 0;
    while (at < head) {
      const page = await host.log.read(name, at, PAGE);
      if (page.length === 0) break;
      if (lacksDocKind(page.map(({ op }) => op.type))) await loadDocKinds();
      for (const { seq, op } of page) {
        let state: unknown = UNREADABLE;
        try {
          state = docKindOf(op.type).decode(op.body);
        } catch {
          // Skipped below, as every hub skips it when it arrives live.
        }
        if (skips(docs, op.doc, op.type, state)) {
          skipped.add(seq);
          host.metrics.opsSkipped.inc();
        } else docs.apply(op.doc, op.type, state);
        at = seq;
      }
    }
    const snapshot = stored === undefined ? undefined : { seq: stored.seq, wire: dataWire({ kind: 'snapshot', ...stored }) };
    return new Room(name, false, at, docs, snapshot, host, skipped);
  }

  /** Whether the room may be unloaded: nobody in it and nothing left to write. */
  get idle(): boolean {
    return this.sessions.size === 0 && !this.writer.busy;
  }

  /** Resolves once every queued op is written (for shutdown). */
  settled(): Promise<void> {
    return this.writer.whenIdle();
  }

  typeOf(doc: string): DocType | undefined {
    return this.docs?.typeOf(doc);
  }

  value(doc: string): { type: DocType; value: unknown } | undefined {
    return this.docs?.value(doc);
  }

  /**
   * Welcome, then a snapshot if the client is behind it, then the ops it missed, then who is here;
   * after that the session gets live broadcasts. Polling sessions read the ops per poll instead.
   */
  async join(session: HubSession, lastSeq: number, takesSnapshot = true): Promise<void> {
    this.sessions.add(session);
    session.room = this.name;
    // A client ahead of the head (the hub lost history) is told by welcome.head and resumes from here.
    session.sentSeq = Math.min(lastSeq, this.head);
    const { limits } = this.host;
    session.send({
      kind: 'welcome',
      room: this.name,
      peer: session.peer,
      head: this.head,
      e2e: this.e2e,
      // Announced so clients pace and batch their sends instead of being closed with 4429.
      limits: {
        messagesPerSecond: limits.messagesPerSecond,
        burst: limits.messageBurst,
        opsPerMessage: limits.maxOpsPerMessage,
        maxFrameBytes: limits.maxFrameBytes,
      },
    });
    if (takesSnapshot && this.snapshot !== undefined && lastSeq < this.snapshot.seq) {
      session.write(this.snapshot.wire);
      session.sentSeq = this.snapshot.seq;
    }
    session.floor = session.sentSeq;
    if (session.link.pulls) {
      session.sentSeq = this.head;
    } else {
      while (session.sentSeq < this.head) {
        const page = await this.opsAfter(session.sentSeq, PAGE);
        if (session.closed || page.length === 0) break;
        for (const { seq, wire } of page) session.writeSequenced(wire, seq);
        // Page by page, so replaying a long history never buffers all of it.
        await session.link.flushed();
        if (session.closed) break;
      }
    }
    if (session.closed) return;
    // End-to-end clients seal the next snapshot once the log since this one is long enough.
    if (this.e2e && this.snapshot !== undefined) session.send({ kind: 'snapshotted', seq: this.snapshot.seq });
    session.send({ kind: 'peers', peers: [...this.localPeers(), ...(this.cluster?.remote.all() ?? [])] });
    this.live.add(session);
    this.toOthers(session, dataWire({ kind: 'peer', ...presenceOf(session) }));
    this.cluster?.peer(presenceOf(session));
  }

  /** A session left: others see `left` if they had seen it arrive. */
  leave(session: HubSession): void {
    this.sessions.delete(session);
    if (this.live.delete(session)) {
      this.toOthers(session, dataWire({ kind: 'left', peer: session.peer }));
      this.cluster?.left(session.peer);
    }
    if (this.idle) this.host.idle(this.name);
  }

  /** Sets a session's presence state and tells the others. */
  setPresence(session: HubSession, state: Json): void {
    const bytes = utf8Length(JSON.stringify(state));
    if (bytes > this.host.limits.maxPresenceBytes) {
      session.error('E_TOO_LARGE', `Presence state of ${bytes} bytes is over the limit of ${this.host.limits.maxPresenceBytes}`);
      return;
    }
    session.presence = state;
    this.toOthers(session, dataWire({ kind: 'peer', ...presenceOf(session) }));
    if (this.live.has(session)) this.cluster?.peer(presenceOf(session));
  }

  /** Validates each op of a message; the valid ones go to the next group commit, the others are rejected. */
  receiveOps(session: HubSession, message: OpsMessage, receivedAt: number, bytes: number): void {
    const ops: HubOp[] = [];
    const states: unknown[] = [];
    const refused = new Map<string, { ids: string[]; message: string }>();
    const refuse = (op: HubOp, code: string, why: string): void => {
      const entry = refused.get(code) ?? { ids: [], message: why };
      entry.ids.push(op.id);
      refused.set(code, entry);
    };
    for (const op of message.ops) {
      if (this.e2e) {
        if (typeof op.body !== 'string') refuse(op, 'E_OP_INVALID', 'An end-to-end room takes encrypted envelopes (strings) as op bodies');
        else if (utf8Length(op.body) > this.host.limits.maxEnvelopeBytes) {
          refuse(op, 'E_TOO_LARGE', `Op body over ${this.host.limits.maxEnvelopeBytes} bytes`);
        } else {
          ops.push(op);
          states.push(undefined);
        }
        continue;
      }
      let state: unknown;
      try {
        state = docKindOf(op.type).decode(op.body);
      } catch (error) {
        // A named refusal where the type has its own (a hostile Yjs update, a type the hub cannot load).
        const code = isRxSyncError(error) && NAMED_REFUSALS.has(error.code) ? error.code : 'E_OP_INVALID';
        refuse(op, code, isRxSyncError(error) ? error.message : 'Invalid op body');
        continue;
      }
      // The clients' drift policy, on the wall clock as their HLC: they refuse stamps this far ahead,
      // so logging one would leave them apart.
      const newest = docKindOf(op.type).newest(state);
      const ahead = newest === undefined ? 0 : decodeStamp(newest).time - Date.now();
      if (ahead > DEFAULT_MAX_DRIFT) {
        refuse(op, 'E_HLC_DRIFT', `Op stamped ${ahead} ms ahead of the hub's clock (max drift ${DEFAULT_MAX_DRIFT} ms)`);
        continue;
      }
      states.push(state);
      ops.push(op);
    }
    for (const [code, { ids, message: why }] of refused) {
      this.host.metrics.rejects.add(ids.length, { code });
      session.send({ kind: 'reject', ids, code, message: why });
    }
    if (ops.length > 0) this.writer.submit({ session, ops, states, receivedAt, bytes });
    else this.host.inbound.release(bytes);
  }

  /** A client's sealed snapshot (end-to-end rooms): checked and stored, or refused by name. */
  receiveSnapshot(session: HubSession, message: SealedSnapshotMessage): void {
    this.sealed.receive(session, message);
  }

  get snapshotSeq(): number {
    return this.snapshot?.seq ?? 0;
  }

  useSnapshot(snapshot: RoomSnapshot): void {
    this.snapshot = { seq: snapshot.seq, wire: dataWire({ kind: 'snapshot', ...snapshot }) };
    const wire = dataWire({ kind: 'snapshotted', seq: snapshot.seq });
    for (const session of this.live) session.write(wire);
  }

  /** Ops with `seq > afterSeq` up to the head, encoded, at most `limit`: from memory when recent, else from the log. */
  async opsAfter(afterSeq: number, limit: number): Promise<{ seq: number; wire: string }[]> {
    const upTo = this.head;
    if (afterSeq >= upTo) return [];
    const cached = this.recent.slice(afterSeq, upTo, limit);
    if (cached !== undefined) return cached;
    let from = afterSeq;
    while (from < upTo) {
      const page = await this.host.log.read(this.name, from, Math.min(limit, upTo - from));
      if (page.length === 0) return [];
      const sent = page.filter((l) => l.seq <= upTo && !this.skippedSeqs.has(l.seq));
      // A page of nothing but skipped ops (rare): read on.
      if (sent.length > 0) return sent.map(({ seq, op }) => ({ seq, wire: dataWire({ kind: 'op', op }, seq) }));
      from = (page.at(-1) as LoggedOp).seq;
    }
    return [];
  }

  /**
   * Applies the next ops of the log (from the sequencer, in order) and sends them to every live
   * session (the sender too), encoded once: one JSON string and one UTF-8 buffer per op, and for
   * WebSocket sessions one buffer of frames for the whole commit, so each socket gets a single
   * write. An op that {@link skips} is counted and sent to nobody.
   */
  deliver(ops: readonly SequencedOp[]): void {
    if (ops.length === 0) return;
    const encoded: BroadcastOp[] = [];
    for (const { seq, op, state } of ops) {
      this.head = seq;
      if (this.docs !== undefined) {
        if (skips(this.docs, op.doc, op.type, state)) {
          this.skippedSeqs.add(seq);
          this.recent.push(seq, undefined);
          this.host.metrics.opsSkipped.inc();
          continue;
        }
        this.docs.apply(op.doc, op.type, state);
      }
      const wire = dataWire({ kind: 'op', op }, seq);
      this.recent.push(seq, wire);
      encoded.push({ seq, wire, bytes: utf8Bytes(wire) });
    }
    if (encoded.length > 0) {
      const batch = new BroadcastBatch(encoded);
      for (const session of this.live) session.writeBatch(batch);
    }
    const at = this.host.now();
    for (const { receivedAt } of ops) if (receivedAt !== undefined) this.host.metrics.fanout.observe((at - receivedAt) / 1000);
  }

  /** The writer's ops go through the sequencer like everyone's: resolves (or `undefined`) once delivered. */
  sequence(ops: readonly SequencedOp[]): Promise<void> | undefined {
    return this.sequencer.committed(ops);
  }

  /** Whether the op logged as `seq` was skipped (see {@link skips}). */
  skipped(seq: number): boolean {
    return this.skippedSeqs.has(seq);
  }

  /** Tells the other hubs (if any) about ops this hub committed. */
  announce(ops: readonly LoggedOp[]): void {
    this.cluster?.committed(ops);
  }

  /** Reads what the room lacks up to the log's head (with a bus: others may have written). */
  async catchUp(): Promise<void> {
    if (this.cluster !== undefined) await this.sequencer.catchUp();
  }

  /** A bus notice for this room. */
  notice(notice: BusNotice): void {
    this.cluster?.notice(notice);
  }

  /** Periodic presence work with a bus: announce this hub's peers, drop those of silent hubs. */
  presenceTick(): void {
    if (this.cluster === undefined) return;
    if (this.live.size > 0) this.cluster.peers();
    this.cluster.remote.expire();
  }

  /** This hub's live peers. */
  localPeers(): PeerPresence[] {
    return [...this.live].map(presenceOf);
  }

  /** Writes a frame to every live session (presence of other hubs). */
  tell(wire: string): void {
    for (const session of this.live) session.write(wire);
  }

  /** After a commit: a snapshot every `snapshotEvery` ops (never for end-to-end rooms). */
  async committed(count: number): Promise<void> {
    if (this.docs === undefined) return;
    this.sinceSnapshot += count;
    if (this.sinceSnapshot < this.host.snapshotEvery) return;
    const snapshot = { seq: this.head, docs: this.docs.encode() };
    try {
      await this.host.log.saveSnapshot(this.name, snapshot);
      this.snapshot = { seq: snapshot.seq, wire: dataWire({ kind: 'snapshot', ...snapshot }) };
      this.sinceSnapshot = this.head - snapshot.seq;
      this.host.metrics.snapshots.inc();
    } catch (error) {
      // The log still has every op; the next commit tries again.
      this.host.reportError(error);
    }
  }

  private toOthers(self: HubSession, wire: string): void {
    for (const session of this.live) if (session !== self) session.write(wire);
  }
}

/**
 * Whether the room skips a logged op: it did not decode, or its type differs from its document's
 * (two hubs created the document with different types at once). Decided by seq order alone, so
 * every hub skips the same ops.
 */
function skips(docs: RoomDocs, doc: string, type: DocType, state: unknown): boolean {
  if (state === UNREADABLE) return true;
  const known = docs.typeOf(doc);
  return known !== undefined && known !== type;
}

function presenceOf(session: HubSession): PeerPresence {
  return session.principal === undefined
    ? { peer: session.peer, state: session.presence }
    : { peer: session.peer, state: session.presence, principal: session.principal };
}
