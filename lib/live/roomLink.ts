import { Subject, type Observable, type Subscription } from 'rxjs';
import type { Hlc } from '../crdt/hlc.js';
import type { Json } from '../crdt/json.js';
import { RxSyncError, isRxSyncError } from '../errors.js';
import type { Outbox } from '../outbox/outbox.js';
import { parseHubMessage, type HubMessage, type HubOp, type PeerPresence, type WelcomeMessage } from '../protocol/hubMessages.js';
import { signal, type ReadonlySignal } from '../signals/signal.js';
import { DocReplica } from './docReplica.js';
import { docKinds, type DocStates, type DocType } from '../crdt/docTypes.js';
import { LIVE_OP, checkLivePayload } from './liveOp.js';
import { RefusedError } from '../outbox/refusedError.js';
import { loadReplica } from './replicaStore.js';
import { ReplicaSaver } from './replicaSaver.js';
import type { Storage } from '../storage/storage.js';
import type { LiveTransport } from './liveTransport.js';
import { SendPacer } from './sendPacer.js';
import { opContext, type LiveCodec } from './liveCodec.js';
import { liveStatus, type LiveStatus, type TransportStatusLike } from './liveStatus.js';
import { isPending, type ValueCheck } from './valueCheck.js';

export { opContext, type LiveCodec } from './liveCodec.js';
export type { LiveStatus } from './liveStatus.js';

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/** What a room link needs from its client. */
export interface RoomLinkDeps {
  readonly outbox: Outbox;
  readonly clock: Hlc;
  /** Called on each reconnect attempt (metrics). */
  readonly onReconnect?: () => void;
  /** Encrypts op bodies for an end-to-end room; the hub then only sees envelopes. */
  readonly codec?: LiveCodec;
  /** Keeps the room's confirmed state across reloads. */
  readonly storage?: Storage;
}

/**
 * One room as this client replicates it, over one transport: the state of every document in the
 * room (not only the open ones, so a document opened later has its history), our unacknowledged
 * edits, and the room's presence. Edits are sent as soon as they are durable in the outbox and
 * sent again on every new connection until the hub acks them; the outbox's replay only waits for
 * those acks, so a burst of edits is pipelined instead of costing a round trip each.
 */
export class RoomLink {
  private readonly docs = new Map<string, DocReplica<DocType>>();
  private readonly unacked = new Map<string, HubOp>();
  private readonly waiters = new Map<string, Waiter>();
  /** Outcomes that arrived before the outbox asked (the op went out eagerly). */
  private readonly settledEarly = new Map<string, RxSyncError | null>();
  private readonly peers = signal<ReadonlyMap<string, PeerPresence>>(new Map());
  private readonly statusSignal = signal<LiveStatus>({ state: 'closed', joined: false });
  private readonly errorSubject = new Subject<RxSyncError>();
  private readonly cursor = { lastSeq: 0 };
  private readonly pacer: SendPacer;
  /** The hub welcomed the current connection: ops may be sent (even while the status says offline). */
  private welcomed = false;
  /** The transport's connection number the welcome arrived on. */
  private connection: number | undefined;
  private transportStatus: TransportStatusLike = { state: 'closed' };
  private reportedRefusal: unknown;
  private presenceState: Json | undefined;
  private peerId: string | undefined;
  private users = 0;
  private subscription: Subscription | undefined;
  private readonly adopted: Promise<void>;
  private readonly loaded: Promise<void>;
  private readonly saver: ReplicaSaver | undefined;
  /** Envelopes being opened (or values checked): the cursor may be ahead of the merged state until they land. */
  private opening = 0;
  /** Per document, the check a remote state's resulting value must pass before it is merged. */
  private readonly checks = new Map<string, ValueCheck>();
  /** `resync()` calls waiting for the room's history to be replayed on the new connection. */
  private resyncs: Array<() => void> = [];

  constructor(
    readonly room: string,
    readonly transport: LiveTransport,
    private readonly deps: RoomLinkDeps,
  ) {
    transport.cursor = this.cursor;
    this.pacer = new SendPacer(
      (message) => transport.send(message),
      (error) => this.report(error, 'E_SEND_OVERFLOW'),
    );
    this.adopted = deps.outbox.ready.then(() => this.adoptQueued());
    this.loaded = deps.storage === undefined ? Promise.resolve() : this.restore(deps.storage);
    this.saver =
      deps.storage === undefined
        ? undefined
        : new ReplicaSaver(
            deps.storage,
            room,
            () => ({
              lastSeq: this.cursor.lastSeq,
              docs: [...this.docs].map(([doc, replica]) => ({ doc, type: replica.type, state: replica.confirmed })),
            }),
            () => this.opening > 0,
            (error) => this.report(error, 'E_STORAGE_WRITE'),
          );
  }

  /** Problems: invalid messages from the hub, rejected edits, corrupt queued edits. */
  get errors$(): Observable<RxSyncError> {
    return this.errorSubject.asObservable();
  }

  get status$(): ReadonlySignal<LiveStatus> {
    return this.statusSignal;
  }

  /** Everyone else present in the room (the hub never lists a connection to itself). */
  readonly presence$: ReadonlySignal<readonly PeerPresence[]> = this.peers.select((map) => [...map.values()]);

  /**
   * The replica of `doc`, created empty when the room has not mentioned it yet. With `validate`,
   * remote states whose merge would give a value it finds a problem with are reported
   * (`E_SCHEMA_REJECTED`) and not merged, from now on.
   */
  doc<T extends DocType>(name: string, type: T, options: { validate?: ValueCheck } = {}): DocReplica<T> {
    if (options.validate !== undefined) this.checks.set(name, options.validate);
    const existing = this.docs.get(name);
    if (existing !== undefined) {
      if (existing.type !== type) {
        throw new RxSyncError('E_DOC_TYPE', `Document "${name}" in room "${this.room}" is a ${existing.type}, not a ${type}`, {
          details: { room: this.room, doc: name, type: existing.type },
        });
      }
      return existing as unknown as DocReplica<T>;
    }
    const created = new DocReplica(type);
    this.docs.set(name, created as unknown as DocReplica<DocType>);
    return created;
  }

  /** Starts (first user) the connection; the returned function stops it (last user). */
  use(): () => void {
    // Connect once the saved replica is back, so the hello asks only for what came after it.
    if (this.users++ === 0) void this.loaded.then(() => this.users > 0 && this.subscription === undefined && this.connect());
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.users === 0) this.disconnect();
    };
  }

  /** Sends an edit now (it is durable in the outbox already); the hub's ack settles it. */
  send(op: HubOp): void {
    if (this.unacked.has(op.id)) return;
    this.unacked.set(op.id, op);
    if (this.welcomed) this.pacer.sendOps([op]);
  }

  /** Connects again now: after a refusal (with a new token from the transport's `token`), or to skip a backoff wait. */
  retry(): void {
    this.transport.retry?.();
  }

  /**
   * The outbox's sender for this room: resolves when the hub acks the op, rejects (for good) when
   * the hub refuses it. Never times out: while offline the op simply waits for the next connection.
   */
  deliver(op: HubOp, abort: AbortSignal): Promise<void> {
    const early = this.settledEarly.get(op.id);
    if (early !== undefined) {
      this.settledEarly.delete(op.id);
      return early === null ? Promise.resolve() : Promise.reject(early);
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiters.delete(op.id);
        reject(new RxSyncError('E_ABORTED', `Delivery of ${op.id} was cancelled`));
      };
      if (abort.aborted) return onAbort();
      abort.addEventListener('abort', onAbort, { once: true });
      this.waiters.set(op.id, {
        resolve: () => {
          abort.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error) => {
          abort.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      this.send(op);
    });
  }

  /**
   * Asks the hub for the room's whole state again (a new connection from sequence 0); resolves once
   * it was replayed. Not connected, the next connection does it.
   */
  resync(): Promise<void> {
    this.cursor.lastSeq = 0;
    if (this.subscription === undefined) return Promise.resolve();
    const replayed = new Promise<void>((resolve) => this.resyncs.push(resolve));
    this.subscription.unsubscribe();
    this.leave();
    this.connect();
    return replayed;
  }

  /** Sets this client's presence state in the room (`null` clears it); re-announced after reconnects. */
  setPresence(state: Json): void {
    this.presenceState = state;
    if (this.welcomed) this.pacer.sendPresence(state);
  }

  /** Where the room's confirmed state is saved, if anywhere. */
  get storage(): Storage | undefined {
    return this.deps.storage;
  }

  /** The codec sealing this room's op bodies, if it is end-to-end encrypted. */
  get codec(): LiveCodec | undefined {
    return this.deps.codec;
  }

  /** Resolves once the hub acknowledged every edit of `doc` made so far. */
  whenAcknowledged(doc: DocReplica<DocType>): Promise<void> {
    if (doc.pending$.get() === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const subscription = doc.pending$.subscribe((count) => {
        if (count !== 0) return;
        queueMicrotask(() => subscription.unsubscribe());
        resolve();
      });
    });
  }

  private connect(): void {
    const statusSub = this.transport.status$.subscribe((status) => this.onTransportStatus(status));
    const messageSub = this.transport.messages$.subscribe({
      next: (data) => this.receive(data),
      error: (error: unknown) => this.report(error, 'E_CONNECTION_LOST'),
    });
    messageSub.add(statusSub);
    this.subscription = messageSub;
  }

  private disconnect(): void {
    this.saver?.flush();
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.peers.set(new Map());
    this.leave();
    this.transportStatus = { state: 'closed' };
    this.statusSignal.set({ state: 'closed', joined: false });
  }

  private onTransportStatus(status: TransportStatusLike): void {
    if (status.state === 'reconnecting') this.deps.onReconnect?.();
    const sameConnection = status.connection === undefined || status.connection === this.connection;
    if ((status.state !== 'open' && status.state !== 'offline') || !sameConnection) this.leave();
    if (status.state === 'refused' && status.error !== this.reportedRefusal) {
      // Final until retry(): say so once on errors$, not on every status emission.
      this.reportedRefusal = status.error;
      this.report(status.error, 'E_AUTH_REFUSED');
    }
    this.transportStatus = status;
    this.publishStatus();
  }

  /** The connection the welcome belonged to is gone (or no longer trusted for sending). */
  private leave(): void {
    this.welcomed = false;
    this.connection = undefined;
    this.pacer.stop();
  }

  private publishStatus(): void {
    this.statusSignal.set(liveStatus(this.transportStatus, this.welcomed, this.peerId));
  }

  private receive(data: unknown): void {
    let message: HubMessage;
    try {
      message = parseHubMessage(data);
    } catch (error) {
      this.report(error, 'E_MESSAGE_INVALID');
      return;
    }
    switch (message.kind) {
      case 'welcome':
        return this.onWelcome(message);
      case 'snapshot':
        for (const entry of message.docs) this.merge(entry.doc, entry.type, entry.state, undefined);
        this.cursor.lastSeq = Math.max(this.cursor.lastSeq, message.seq);
        this.saver?.schedule();
        return;
      case 'op':
        return this.merge(message.op.doc, message.op.type, message.op.body, message.op.id);
      case 'ack':
        for (const id of message.ids) this.settle(id, null);
        return;
      case 'reject': {
        // A refusal is final: the outbox dead-letters the op instead of retrying it.
        const error = new RefusedError(message.code, `The hub refused the edit: ${message.message}`);
        for (const id of message.ids) this.settle(id, error);
        this.errorSubject.next(error);
        return;
      }
      case 'peers': {
        // The last frame of a join: the history is replayed.
        this.peers.set(new Map(message.peers.map((p) => [p.peer, p])));
        const replayed = this.resyncs;
        this.resyncs = [];
        replayed.forEach((resolve) => resolve());
        return;
      }
      case 'peer': {
        const next = new Map(this.peers.get());
        next.set(message.peer, message.principal === undefined ? { peer: message.peer, state: message.state } : message);
        this.peers.set(next);
        return;
      }
      case 'left': {
        if (!this.peers.get().has(message.peer)) return;
        const next = new Map(this.peers.get());
        next.delete(message.peer);
        this.peers.set(next);
        return;
      }
    }
  }

  private onWelcome({ room, peer, e2e, head, limits }: WelcomeMessage): void {
    if (room !== this.room) {
      this.report(
        new RxSyncError('E_ROOM_MISMATCH', `Joined room "${room}" but this link is for "${this.room}": check the transport's hello`),
      );
      return;
    }
    if (e2e !== (this.deps.codec !== undefined)) {
      // Never send plaintext into an end-to-end room, nor envelopes the hub would refuse.
      this.report(
        new RxSyncError(
          'E_E2E_MISMATCH',
          e2e
            ? `Room "${room}" is end-to-end encrypted: open it with client.live({ codec }) holding the room key`
            : `Room "${room}" is not end-to-end encrypted but a codec was given; edits are held back`,
        ),
      );
      return;
    }
    if (head < this.cursor.lastSeq) {
      // The hub has less history than we saw (its data was reset): follow its sequence from here,
      // or every new op numbered at or below our old cursor would be dropped as already seen.
      this.report(
        new RxSyncError('E_HUB_BEHIND', `Room "${room}" is at seq ${head} on the hub, behind the ${this.cursor.lastSeq} seen here`),
      );
      this.cursor.lastSeq = head;
    }
    this.peerId = peer;
    this.welcomed = true;
    this.reportedRefusal = undefined;
    this.connection = this.transportStatus.connection;
    this.pacer.start(limits);
    this.publishStatus();
    if (this.presenceState !== undefined) this.pacer.sendPresence(this.presenceState);
    // A new connection: everything not yet acknowledged goes again (the hub dedupes by op id).
    const connection = this.connection;
    void this.adopted.then(() => {
      if (!this.welcomed || this.connection !== connection) return;
      this.pacer.sendOps([...this.unacked.values()]);
    });
  }

  private merge(docName: string, type: DocType, body: Json, opId: string | undefined): void {
    const codec = this.deps.codec;
    if (codec === undefined) return this.mergePlain(docName, type, body, opId);
    if (typeof body !== 'string') {
      this.report(new RxSyncError('E_ENVELOPE', `An op for "${docName}" in end-to-end room "${this.room}" is not an envelope`));
      return;
    }
    // Merge order does not matter (CRDT), so opening envelopes asynchronously is safe.
    this.opening++;
    codec.decodeText(body, opContext(this.room, docName)).then(
      (plain) => {
        this.opening--;
        this.mergePlain(docName, type, plain as Json, opId);
      },
      (error: unknown) => {
        this.opening--;
        this.report(error, 'E_DECRYPT');
      },
    );
  }

  private mergePlain(docName: string, type: DocType, body: Json, opId: string | undefined): void {
    const kind = docKinds[type];
    let state: DocStates[DocType];
    try {
      state = kind.decode(body);
    } catch (error) {
      this.report(error, 'E_CRDT_INVALID');
      return;
    }
    const existing = this.docs.get(docName);
    if (existing !== undefined && existing.type !== type) {
      this.report(new RxSyncError('E_DOC_TYPE', `Room "${this.room}" sent a ${type} op for document "${docName}", a ${existing.type}`));
      return;
    }
    const newest = (kind.newest as (s: DocStates[DocType]) => string | undefined)(state);
    if (newest !== undefined) {
      try {
        this.deps.clock.receive(newest);
      } catch (error) {
        // Merged anyway: every replica must apply the same ops to converge. Our clock just does not
        // jump to a stamp that far ahead.
        this.report(error, 'E_HLC_DRIFT');
      }
    }
    const replica = existing ?? this.doc(docName, type);
    const check = this.checks.get(docName);
    if (check === undefined) return this.apply(replica, state, opId);
    const problem = check(replica.kind.value(replica.kind.merge(replica.state, state as never)));
    if (!isPending(problem)) return problem === undefined ? this.apply(replica, state, opId) : this.refuse(docName, problem);
    this.opening++;
    problem.then(
      (found) => {
        this.opening--;
        if (found === undefined) this.apply(replica, state, opId);
        else this.refuse(docName, found);
      },
      (error: unknown) => {
        this.opening--;
        this.refuse(docName, `the check failed: ${String(error)}`);
      },
    );
  }

  private apply(replica: DocReplica<DocType>, state: DocStates[DocType], opId: string | undefined): void {
    replica.confirm(state as never);
    if (opId !== undefined && replica.hasPending(opId)) replica.acknowledge(opId);
    this.saver?.schedule();
  }

  /** A remote state that would make the document invalid: reported, never merged. */
  private refuse(doc: string, problem: string): void {
    this.report(
      new RxSyncError('E_SCHEMA_REJECTED', `Room "${this.room}" sent a state for "${doc}" that fails its schema: ${problem}`, {
        details: { room: this.room, doc, problem },
      }),
    );
  }

  /** Loads the saved replica: its documents' confirmed state, and the cursor it covers. */
  private async restore(storage: Storage): Promise<void> {
    try {
      const saved = await loadReplica(storage, this.room);
      if (saved === undefined) return;
      for (const { doc, type, state } of saved.docs) this.doc(doc, type).confirm(state as never);
      this.cursor.lastSeq = Math.max(this.cursor.lastSeq, saved.lastSeq);
    } catch (error) {
      // A damaged record costs a full resync from the hub, nothing more; it is overwritten later.
      this.report(error, 'E_STORAGE_CORRUPT');
    }
  }

  private settle(id: string, error: RxSyncError | null): void {
    const op = this.unacked.get(id);
    if (op === undefined) return; // not ours, or settled already
    this.unacked.delete(id);
    const replica = this.docs.get(op.doc);
    if (error === null) replica?.acknowledge(id);
    else replica?.withdraw(id);
    const waiter = this.waiters.get(id);
    if (waiter === undefined) {
      this.settledEarly.set(id, error);
      return;
    }
    this.waiters.delete(id);
    if (error === null) waiter.resolve();
    else waiter.reject(error);
  }

  /** After a reload: edits still queued in the outbox for this room show at once and go out on join. */
  private async adoptQueued(): Promise<void> {
    for (const queued of this.deps.outbox.pendingOps()) {
      if (queued.name !== LIVE_OP || this.unacked.has(queued.id)) continue;
      try {
        const payload = checkLivePayload(queued.payload, queued.id);
        if (payload.room !== this.room) continue;
        const { codec } = this.deps;
        const plain = codec === undefined ? payload.body : await codec.decodeText(String(payload.body), opContext(this.room, payload.doc));
        const state = docKinds[payload.type].decode(plain);
        this.doc(payload.doc, payload.type).propose(queued.id, state as never);
        this.unacked.set(queued.id, { id: queued.id, doc: payload.doc, type: payload.type, body: payload.body });
      } catch (error) {
        this.report(error, 'E_OUTBOX_CORRUPT');
      }
    }
  }

  private report(error: unknown, code = 'E_LIVE'): void {
    this.errorSubject.next(isRxSyncError(error) ? error : new RxSyncError(code, String(error), { cause: error }));
  }
}
