import type { Subscription } from 'rxjs';
import { RxSyncError } from '../../errors.js';
import type { WelcomeMessage } from '../../protocol/hubMessages.js';
import { signal, type ReadonlySignal } from '../../signals/signal.js';
import { liveStatus, type LiveStatus, type TransportStatusLike } from '../liveStatus.js';
import type { LiveTransport } from '../liveTransport.js';

/** What a {@link RoomConnection} tells the room about. */
export interface ConnectionEvents {
  /** A message from the hub (not parsed yet). */
  message(data: unknown): void;
  /** The hub welcomed a connection: ops and presence may go now. */
  joined(welcome: WelcomeMessage): void;
  /** The welcomed connection is gone (or no longer trusted for sending). */
  left(): void;
  /** Problems: the transport's, a refusal, a welcome that does not fit this room. */
  report(error: unknown, code: string): void;
  /** A reconnect attempt (metrics). */
  reconnecting?(): void;
}

/**
 * One room's connection through its transport: subscribes while the room is in use, checks the
 * hub's welcome (right room, right end-to-end mode, history not behind ours), and says whether the
 * current connection is joined. It owns the room's resume position: the transport's documented
 * `cursor` is handed this object once, so a swapped transport resumes where the room is.
 */
export class RoomConnection {
  /** The highest sequence number this room has merged (or restored). */
  private readonly cursor: { lastSeq: number; withoutSnapshot?: boolean } = { lastSeq: 0 };
  /** The seq of a snapshot this room refused: hellos skip snapshots until the replay passed it. */
  private refusedSnapshot = 0;
  private readonly statusSignal = signal<LiveStatus>({ state: 'closed', joined: false });
  private subscription: Subscription | undefined;
  private transportStatus: TransportStatusLike = { state: 'closed' };
  /** The transport's connection number the welcome arrived on. */
  private connection: number | undefined;
  private reportedRefusal: unknown;
  private peerId: string | undefined;
  /** The hub welcomed the current connection: ops may be sent (even while the status says offline). */
  welcomed = false;

  constructor(
    private readonly room: string,
    private readonly transport: LiveTransport,
    private readonly sealed: boolean,
    private readonly events: ConnectionEvents,
  ) {
    transport.cursor = this.cursor;
  }

  get status$(): ReadonlySignal<LiveStatus> {
    return this.statusSignal;
  }

  get lastSeq(): number {
    return this.cursor.lastSeq;
  }

  /** The room merged everything up to `seq` (a snapshot, a saved replica): resume after it. */
  advanceTo(seq: number): void {
    this.cursor.lastSeq = Math.max(this.cursor.lastSeq, seq);
  }

  /** Whether the link is subscribed to its transport (a document is open). */
  get connected(): boolean {
    return this.subscription !== undefined;
  }

  connect(): void {
    const statusSub = this.transport.status$.subscribe((status) => this.onTransportStatus(status));
    const messageSub = this.transport.messages$.subscribe({
      next: (data) => this.events.message(data),
      error: (error: unknown) => this.events.report(error, 'E_CONNECTION_LOST'),
    });
    messageSub.add(statusSub);
    this.subscription = messageSub;
  }

  disconnect(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.leave();
    this.transportStatus = { state: 'closed' };
    this.statusSignal.set({ state: 'closed', joined: false });
  }

  /** Joins again from sequence 0: the hub sends the room's whole state (snapshot and ops) again. */
  rejoinFromStart(): void {
    this.cursor.lastSeq = 0;
    if (this.subscription === undefined) return;
    this.disconnect();
    this.connect();
  }

  /**
   * The room refused the snapshot covering `seq`: joins again from 0 asking for the ops instead,
   * until a replay got past `seq`. The cursor drops at once, so nothing saves it past a gap.
   */
  rejoinWithoutSnapshot(seq: number): void {
    this.refusedSnapshot = Math.max(this.refusedSnapshot, seq);
    this.cursor.withoutSnapshot = true;
    this.rejoinFromStart();
  }

  /** The join's replay is over: once it passed a refused snapshot, hellos may take snapshots again. */
  replayed(): void {
    if (this.cursor.withoutSnapshot === true && this.cursor.lastSeq >= this.refusedSnapshot) delete this.cursor.withoutSnapshot;
  }

  /** Checks a welcome; true when this connection joined the room. */
  welcome(message: WelcomeMessage): boolean {
    const { room, peer, e2e, head } = message;
    if (room !== this.room) {
      this.events.report(
        new RxSyncError('E_ROOM_MISMATCH', `Joined room "${room}" but this link is for "${this.room}": check the transport's hello`),
        'E_ROOM_MISMATCH',
      );
      return false;
    }
    if (e2e !== this.sealed) {
      // Never send plaintext into an end-to-end room, nor envelopes the hub would refuse.
      const problem = e2e
        ? `Room "${room}" is end-to-end encrypted: open it with client.live({ codec }) holding the room key`
        : `Room "${room}" is not end-to-end encrypted but a codec was given; edits are held back`;
      this.events.report(new RxSyncError('E_E2E_MISMATCH', problem), 'E_E2E_MISMATCH');
      return false;
    }
    if (head < this.cursor.lastSeq) {
      // The hub has less history than we saw (its data was reset): follow its sequence from here,
      // or every new op numbered at or below our old cursor would be dropped as already seen.
      const problem = `Room "${room}" is at seq ${head} on the hub, behind the ${this.cursor.lastSeq} seen here`;
      this.events.report(new RxSyncError('E_HUB_BEHIND', problem), 'E_HUB_BEHIND');
      this.cursor.lastSeq = head;
    }
    this.peerId = peer;
    this.welcomed = true;
    this.reportedRefusal = undefined;
    this.connection = this.transportStatus.connection;
    this.publishStatus();
    this.events.joined(message);
    return true;
  }

  /** Whether the connection that was welcomed is still the current one. */
  isCurrent(connection: number | undefined): boolean {
    return this.welcomed && this.connection === connection;
  }

  get currentConnection(): number | undefined {
    return this.connection;
  }

  private onTransportStatus(status: TransportStatusLike): void {
    if (status.state === 'reconnecting') this.events.reconnecting?.();
    const sameConnection = status.connection === undefined || status.connection === this.connection;
    if ((status.state !== 'open' && status.state !== 'offline') || !sameConnection) this.leave();
    if (status.state === 'refused' && status.error !== this.reportedRefusal) {
      // Final until retry(): say so once on errors$, not on every status emission.
      this.reportedRefusal = status.error;
      this.events.report(status.error, 'E_AUTH_REFUSED');
    }
    this.transportStatus = status;
    this.publishStatus();
  }

  private leave(): void {
    this.welcomed = false;
    this.connection = undefined;
    this.events.left();
  }

  private publishStatus(): void {
    this.statusSignal.set(liveStatus(this.transportStatus, this.welcomed, this.peerId));
  }
}
