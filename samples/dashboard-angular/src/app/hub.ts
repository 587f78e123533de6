import { signal, type Signal } from '@angular/core';
import { defer, finalize, tap } from 'rxjs';
import { fallback, polling, sse, webSocket, type SeqCursor, type TransportStatus } from 'rxsync/transports';

/** The transports the dropdown offers, in fallback order. */
export type Via = 'websocket' | 'sse' | 'polling';

export const VIA_LABELS: Readonly<Record<Via, string>> = {
  websocket: 'WebSocket',
  sse: 'Server-Sent Events',
  polling: 'HTTP polling',
};

/** One row of the delivery log: a room op as it arrived. */
export interface LogRow {
  readonly seq: number;
  readonly doc: string;
  readonly id: string;
  readonly via: string;
}

/** What the log shows: the newest ops, and counters over everything received. */
export interface DeliveryLog {
  /** Newest first, at most {@link SHOWN_ROWS}. */
  readonly rows: readonly LogRow[];
  /** Every op received. */
  readonly count: number;
  /** Sequence numbers that arrived more than once (a correct transport switch leaves this at 0). */
  readonly repeats: number;
  /** Sequence numbers skipped over (also 0 when nothing was lost). */
  readonly gaps: number;
  /** The highest sequence number received. */
  readonly last: number;
  /** Ops received per transport. */
  readonly byVia: Readonly<Record<string, number>>;
}

/** Rows kept on screen: the newest ones, which are the ones people look at. */
export const SHOWN_ROWS = 40;

const emptyLog: DeliveryLog = { rows: [], count: 0, repeats: 0, gaps: 0, last: 0, byVia: {} };

/** The room's transport, plus what it carried and its connection, as Angular signals. */
export interface DashboardHub {
  /** `fallback([webSocket, sse, polling])`, recording every op it delivers. */
  readonly transport: ReturnType<typeof fallback>;
  /** The connection: state, the transport in use (`via`), connection count, heartbeat `rtt`. */
  readonly status: Signal<TransportStatus>;
  readonly log: Signal<DeliveryLog>;
  /** Pins a transport (`undefined`: back to automatic fallback). */
  prefer(via: Via | undefined): void;
}

/** `?room=name` picks the room (default `dashboard`). */
export function roomFromUrl(): string {
  const room = new URLSearchParams(location.search).get('room');
  return room !== null && /^[A-Za-z0-9_.:@-]{1,128}$/.test(room) ? room : 'dashboard';
}

/**
 * The room's transport: the three of rxsync, same origin, in one `fallback` (which shares one
 * resume cursor between them, so a switch neither skips nor repeats an op). The dropdown pins one
 * with `prefer`. Wrapped only to record what it delivers, for the log.
 */
export function dashboardHub(room: string): DashboardHub {
  const base = location.origin;
  const hello = { room };
  const reconnect = { initialDelay: 300, maxDelay: 5000 };
  const inner = fallback([
    webSocket(`${base.replace(/^http/, 'ws')}/ws`, { hello, reconnect }),
    sse(`${base}/sse`, { postUrl: `${base}/send`, hello, reconnect }),
    polling(`${base}/poll`, { postUrl: `${base}/send`, interval: 1000, hello, reconnect }),
  ]);
  const status = signal<TransportStatus>({ state: 'closed', connection: 0, via: 'websocket' });
  const log = signal<DeliveryLog>(emptyLog);

  const record = (message: unknown): void => {
    if (typeof message !== 'object' || message === null || (message as { kind?: unknown }).kind !== 'op') return;
    const op = (message as { op?: { id?: unknown; doc?: unknown } }).op ?? {};
    // The shared cursor right after the transport accepted the op is its sequence number.
    const row: LogRow = { seq: inner.cursor.lastSeq, doc: String(op.doc), id: String(op.id), via: status().via };
    log.update((current) => append(current, row));
  };

  const messages$ = defer(() => {
    const watching = inner.status$.subscribe((next) => status.set(next));
    return inner.messages$.pipe(
      tap(record),
      finalize(() => watching.unsubscribe()),
    );
  });

  const transport: ReturnType<typeof fallback> = {
    kind: inner.kind,
    messages$,
    status$: inner.status$,
    get cursor(): SeqCursor {
      return inner.cursor;
    },
    set cursor(shared: SeqCursor) {
      inner.cursor = shared;
    },
    send: (message) => inner.send(message),
    takePending: () => inner.takePending(),
    retry: () => inner.retry(),
    prefer: (via) => inner.prefer(via),
  };
  return { transport, status, log, prefer: (via) => inner.prefer(via) };
}

function append(log: DeliveryLog, row: LogRow): DeliveryLog {
  return {
    rows: [row, ...log.rows.slice(0, SHOWN_ROWS - 1)],
    count: log.count + 1,
    repeats: log.repeats + (row.seq <= log.last ? 1 : 0),
    gaps: log.gaps + Math.max(0, row.seq - log.last - 1),
    last: Math.max(log.last, row.seq),
    byVia: { ...log.byVia, [row.via]: (log.byVia[row.via] ?? 0) + 1 },
  };
}
