import { Subject, type Observable } from 'rxjs';
import type { Hlc } from '../../crdt/hlc.js';
import type { Json } from '../../crdt/json.js';
import type { DocType } from '../../crdt/docTypes.js';
import { RxSyncError, isRxSyncError, type RxSyncErrorCode } from '../../errors.js';
import type { Outbox } from '../../outbox/outbox.js';
import { RefusedError } from '../../outbox/refusedError.js';
import {
  parseHubMessage,
  type HubMessage,
  type HubOp,
  type PeerPresence,
  type SnapshotMessage,
  type WelcomeMessage,
} from '../../protocol/hubMessages.js';
import type { ReadonlySignal } from '../../signals/signal.js';
import type { Storage } from '../../storage/storage.js';
import type { DocReplica } from '../docReplica.js';
import type { LiveCodec } from '../liveCodec.js';
import type { LiveStatus } from '../liveStatus.js';
import type { LiveTransport } from '../liveTransport.js';
import { Delivery } from './delivery.js';
import { showQueuedEdits } from './queuedEdits.js';
import { ReplicaSet, type DocOptions } from './replicaSet.js';
import { RoomConnection } from './roomConnection.js';
import { RoomPersistence } from './roomPersistence.js';
import { RoomPresence } from './roomPresence.js';
import { SendPacer } from './sendPacer.js';
import { DEFAULT_SNAPSHOT_EVERY, SnapshotSealer } from './snapshotSealer.js';

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
  /** End-to-end rooms: ops between the sealed snapshots this client writes (0: never). */
  readonly snapshotEvery?: number;
}

/**
 * One room as this client replicates it, over one transport. A facade over the room's parts:
 * the connection (join, welcome, status), the document replicas (remote states merged through
 * `mergeCrdt`), the delivery of the outbox's ops (the one send path), presence and persistence.
 */
export class RoomLink {
  private readonly errorSubject = new Subject<RxSyncError>();
  private readonly connection: RoomConnection;
  private readonly replicas: ReplicaSet;
  private readonly delivery: Delivery;
  private readonly presence: RoomPresence;
  private readonly pacer: SendPacer;
  private readonly persistence: RoomPersistence | undefined;
  private readonly loaded: Promise<void>;
  /** Settles once the saved replica and the edits still queued in the outbox are back. */
  private readonly restored: Promise<void>;
  private users = 0;
  /** `resync()` calls waiting for the replay on the new connection. */
  private readonly resyncs: Array<() => void> = [];
  /** End-to-end rooms: writes the room's sealed snapshots when it is this client's turn. */
  private readonly sealer: SnapshotSealer | undefined;
  /** The current connection's replay is over (its `peers` frame arrived). */
  private replayed = false;

  constructor(
    readonly room: string,
    readonly transport: LiveTransport,
    private readonly deps: RoomLinkDeps,
  ) {
    const report = (error: unknown, code: string): void => this.report(error, code);
    this.pacer = new SendPacer(
      (message) => transport.send(message),
      (error) => report(error, 'E_SEND_OVERFLOW'),
    );
    this.connection = new RoomConnection(room, transport, deps.codec !== undefined, {
      message: (data) => this.receive(data),
      joined: (welcome) => this.joined(welcome),
      left: () => this.pacer.stop(),
      report,
      ...(deps.onReconnect === undefined ? {} : { reconnecting: deps.onReconnect }),
    });
    this.replicas = new ReplicaSet(room, deps.clock, deps.codec, report, () => this.mergedSome());
    this.sealer =
      deps.codec === undefined
        ? undefined
        : new SnapshotSealer({
            every: deps.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY,
            replicas: this.replicas,
            lastSeq: () => this.connection.lastSeq,
            caughtUp: () => this.connection.welcomed && this.replayed,
            send: (message) => {
              try {
                transport.send(message);
              } catch (error) {
                report(error, 'E_SEND_OVERFLOW');
              }
            },
            report,
          });
    this.delivery = new Delivery(
      this.replicas,
      (ops) => this.pacer.sendOps(ops),
      () => this.connection.welcomed,
    );
    this.presence = new RoomPresence((state) => this.pacer.sendPresence(state));
    this.persistence =
      deps.storage === undefined ? undefined : new RoomPersistence(deps.storage, room, this.replicas, this.connection, report);
    this.loaded = this.persistence?.loaded ?? Promise.resolve();
    const queued = deps.outbox.ready.then(() => showQueuedEdits(deps.outbox, room, deps.codec, this.replicas, report));
    this.restored = Promise.all([this.loaded, queued]).then(
      () => undefined,
      () => undefined,
    );
  }

  /** Problems: invalid messages from the hub, refused edits and remote states, corrupt queued edits. */
  get errors$(): Observable<RxSyncError> {
    return this.errorSubject.asObservable();
  }

  get status$(): ReadonlySignal<LiveStatus> {
    return this.connection.status$;
  }

  /** Everyone else present in the room (the hub never lists a connection to itself). */
  get presence$(): ReadonlySignal<readonly PeerPresence[]> {
    return this.presence.peers$;
  }

  /**
   * The replica of `name`, created empty when the room has not mentioned it yet. `validate` checks
   * remote values of this document from now on: a value it refuses is reported
   * (`E_SCHEMA_REJECTED`) and not merged.
   */
  doc<T extends DocType>(name: string, type: T, options?: DocOptions): DocReplica<T> {
    return this.replicas.doc(name, type, options);
  }

  /** Starts (first user) the connection; the returned function stops it (last user). */
  use(): () => void {
    // Connect once the saved replica is back, so the hello asks only for what came after it.
    if (this.users++ === 0) void this.loaded.then(() => this.users > 0 && !this.connection.connected && this.connection.connect());
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.users === 0) this.close();
    };
  }

  /** Connects again now: after a refusal (with a new token from the transport's `token`), or to skip a backoff wait. */
  retry(): void {
    this.transport.retry?.();
  }

  /**
   * Asks the hub for the room's whole state again: joins anew from sequence 0. Resolves once the
   * hub replayed it (the join's `peers` frame follows the replay), at once when not connected.
   */
  resync(): Promise<void> {
    if (!this.connection.connected) {
      this.connection.rejoinFromStart();
      return Promise.resolve();
    }
    const replayed = new Promise<void>((resolve) => this.resyncs.push(resolve));
    this.connection.rejoinFromStart();
    return replayed;
  }

  /**
   * The outbox's sender for this room, and the only way an op goes out: sent now when the room is
   * joined, again once on each new connection until acked. Resolves on the hub's ack, rejects with
   * a `RefusedError` on its reject, `E_ABORTED` on abort; never times out.
   */
  deliver(op: HubOp, abort: AbortSignal): Promise<void> {
    return this.delivery.deliver(op, abort);
  }

  /** Sets this client's presence state in the room (`null` clears it); re-announced after reconnects. */
  setPresence(state: Json): void {
    this.presence.set(state, this.connection.welcomed);
  }

  /** Where the room's confirmed state is saved, if anywhere. */
  get storage(): Storage | undefined {
    return this.deps.storage;
  }

  /** The codec sealing this room's op bodies, if it is end-to-end encrypted. */
  get codec(): LiveCodec | undefined {
    return this.deps.codec;
  }

  /**
   * Resolves once the hub acknowledged every edit of `doc` made so far, those queued before a
   * reload included (so it waits until they are read back from the outbox).
   */
  async whenAcknowledged(doc: DocReplica<DocType>): Promise<void> {
    await this.restored;
    if (doc.pending$.get() === 0) return;
    return new Promise((resolve) => {
      const subscription = doc.pending$.subscribe((count) => {
        if (count !== 0) return;
        queueMicrotask(() => subscription.unsubscribe());
        resolve();
      });
    });
  }

  private close(): void {
    this.persistence?.flush();
    this.connection.disconnect();
    this.presence.clear();
  }

  private mergedSome(): void {
    this.persistence?.changed();
    this.sealer?.check();
  }

  /**
   * A sealed snapshot (end-to-end rooms): opened and checked as a whole, then merged. One that
   * does not open or validate is refused (`E_SNAPSHOT_INVALID`): nothing of it is merged and the
   * room joins again from seq 0 asking for the ops instead, so it still ends with the whole state.
   */
  private receiveSealed(message: SnapshotMessage): void {
    this.connection.advanceTo(message.seq);
    this.sealer?.known(message.seq);
    this.replicas.receiveSealed(message.seq, message.docs).then(
      () => this.mergedSome(),
      (error: unknown) => {
        this.report(error, 'E_SNAPSHOT_INVALID');
        this.connection.rejoinWithoutSnapshot(message.seq);
      },
    );
  }

  private joined(welcome: WelcomeMessage): void {
    this.replayed = false;
    this.pacer.start(welcome.limits);
    this.presence.announce();
    // A new connection: everything not yet acknowledged goes again (the hub dedupes by op id).
    this.delivery.resend();
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
        this.connection.welcome(message);
        return;
      case 'snapshot':
        if (this.deps.codec !== undefined) return this.receiveSealed(message);
        for (const entry of message.docs) this.replicas.receive(entry.doc, entry.type, entry.state);
        this.connection.advanceTo(message.seq);
        this.persistence?.changed();
        return;
      case 'op':
        this.replicas.receive(message.op.doc, message.op.type, message.op.body, message.op.id);
        return;
      case 'ack':
        this.delivery.acked(message.ids);
        return;
      case 'reject': {
        // A refusal is final: the outbox dead-letters the op instead of retrying it.
        const error = new RefusedError(message.code, `The hub refused the edit: ${message.message}`);
        this.delivery.refused(message.ids, error);
        this.errorSubject.next(error);
        return;
      }
      case 'snapshotted':
        this.sealer?.known(message.seq);
        return;
      case 'refresh':
        return; // the transport answers it with a fresh token; nothing for the room to do
      case 'peers':
        this.presence.receive(message);
        this.replayed = true;
        this.connection.replayed();
        this.resyncs.splice(0).forEach((replayed) => replayed());
        this.sealer?.check();
        return;
      default:
        this.presence.receive(message);
    }
  }

  private report(error: unknown, code: RxSyncErrorCode = 'E_LIVE'): void {
    this.errorSubject.next(isRxSyncError(error) ? error : new RxSyncError(code, String(error), { cause: error }));
  }
}
