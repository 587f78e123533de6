// What the devtools panel shows, gathered from a client, an outbox and transports through their
// public APIs only: the query cache (`client.cache`), the outbox (`pending$`, `ack$`,
// `deadLetter$`, `errors$`, `pendingOps()`, `deadLetters()`) and each transport's `status$`.
import type { Observable, Subscription } from 'rxjs';
import type { Outbox, QueryClient } from 'rxsync';
import type { WatchedDoc } from './liveDocsModel';

/** The part of a transport the panel reads (every rxsync transport has it). */
export interface WatchedTransport {
  readonly kind: string;
  readonly status$: Observable<{
    readonly state: string;
    readonly error?: unknown;
    readonly attempt?: number;
    readonly via?: string;
    /** The last heartbeat round trip in ms, when the transport measures one. */
    readonly rtt?: number;
  }>;
}

/** What to watch; every part is optional. */
export interface DevtoolsSources {
  readonly client?: QueryClient;
  readonly outbox?: Outbox;
  /** Transports by the name shown in the panel (e.g. the room they carry). */
  readonly transports?: Readonly<Record<string, WatchedTransport>>;
  /** Open live documents (`client.live(...)`) whose sync state and conflicts the panel shows. */
  readonly docs?: readonly WatchedDoc[];
}

export interface DevtoolsEvent {
  readonly at: number;
  readonly source: 'cache' | 'outbox' | 'transport';
  readonly text: string;
}

export interface ConnectionRow {
  readonly name: string;
  readonly kind: string;
  state: string;
  attempt: number;
  error: string;
  /** When the state last changed. */
  since: number;
}

export interface QueryRow {
  readonly key: string;
  readonly status: string;
  /** `fetching`, `paused` (offline: waits for the network, no request) or `idle`. */
  readonly fetchStatus: string;
  readonly updatedAt: number;
  readonly invalidated: boolean;
  readonly observers: number;
}

/** Keeps the latest picture of everything watched plus a bounded list of recent events. */
export class DevtoolsModel {
  readonly events: DevtoolsEvent[] = [];
  readonly connections: ConnectionRow[] = [];
  /** Ms between queueing and acknowledgement of the last acked op (a round trip when online). */
  lastAckMs: number | undefined;
  private readonly subscriptions: Subscription[] = [];
  private readonly queryStates = new Map<string, string>();

  constructor(
    readonly sources: DevtoolsSources,
    private readonly onChange: () => void,
    private readonly maxEvents = 60,
  ) {
    const { client, outbox, transports = {} } = sources;
    if (client) {
      this.subscriptions.push(client.cache.changes$.subscribe(() => this.diffCache()));
      this.diffCache();
    }
    if (outbox) {
      this.subscriptions.push(
        outbox.pending$.subscribe((n) => this.log('outbox', `pending ${n}`)),
        outbox.ack$.subscribe(({ op }) => {
          this.lastAckMs = Date.now() - op.createdAt;
          this.log('outbox', `acked ${op.name} ${op.id.slice(0, 8)} after ${this.lastAckMs} ms`);
        }),
        outbox.deadLetter$.subscribe((dead) => this.log('outbox', `dead letter ${dead.op.name}: ${dead.error}`)),
        outbox.errors$.subscribe((error) => this.log('outbox', `error ${error.code}: ${error.message}`)),
      );
    }
    for (const [name, transport] of Object.entries(transports)) {
      const row: ConnectionRow = { name, kind: transport.kind, state: '—', attempt: 0, error: '', since: Date.now() };
      this.connections.push(row);
      this.subscriptions.push(
        transport.status$.subscribe((status) => {
          if (status.state !== row.state) row.since = Date.now();
          row.state = status.state;
          row.attempt = status.attempt ?? 0;
          row.error = status.error === undefined ? '' : messageOf(status.error);
          this.log('transport', `${name} (${status.via ?? transport.kind}) ${status.state}${row.attempt ? ` attempt ${row.attempt}` : ''}`);
        }),
      );
    }
  }

  /** The cache entries now. */
  queries(): QueryRow[] {
    const client = this.sources.client;
    if (!client) return [];
    return [...client.cache.all()].map((entry) => {
      const state = entry.state.get();
      return {
        key: entry.key.hash,
        status: state.status,
        fetchStatus: state.fetchStatus,
        updatedAt: state.updatedAt,
        invalidated: state.isInvalidated,
        observers: entry.observerCount,
      };
    });
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.unsubscribe());
  }

  private diffCache(): void {
    const seen = new Set<string>();
    for (const row of this.queries()) {
      seen.add(row.key);
      const text = `${row.status}/${row.fetchStatus}${row.invalidated ? '/invalidated' : ''}`;
      if (this.queryStates.get(row.key) !== text) {
        this.queryStates.set(row.key, text);
        this.log('cache', `${row.key} ${text}`);
      }
    }
    for (const key of [...this.queryStates.keys()]) {
      if (!seen.has(key)) {
        this.queryStates.delete(key);
        this.log('cache', `${key} removed`);
      }
    }
  }

  private log(source: DevtoolsEvent['source'], text: string): void {
    this.events.unshift({ at: Date.now(), source, text });
    if (this.events.length > this.maxEvents) this.events.length = this.maxEvents;
    this.onChange();
  }
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return 'code' in error ? `${String(error.code)}: ${error.message}` : error.message;
  return String(error);
}
