import { Injectable, type OnDestroy } from '@angular/core';
import { map, scan, shareReplay, type Observable } from 'rxjs';
import { createClient, createOutbox, liveDocuments, type LiveMap, type LiveSet } from 'rxsync';
import { localforageStorage } from 'rxsync/storage';
import { polling, sse, webSocket } from 'rxsync/transports';
import { switchable, type Delivery, type SwitchableTransport } from './switchable-transport';

/** The transports the dropdown offers. */
export type TransportKey = 'websocket' | 'sse' | 'polling';

export const TRANSPORT_LABELS: Readonly<Record<TransportKey, string>> = {
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

/** What the log shows: every op received, in arrival order, and whether the sequence stayed whole. */
export interface DeliveryLog {
  readonly rows: readonly LogRow[];
  /** Sequence numbers that arrived more than once (a correct transport switch leaves this at 0). */
  readonly repeats: number;
  /** Sequence numbers skipped over (also 0 when nothing was lost). */
  readonly gaps: number;
}

/** Keeps the newest rows on screen; the counters still cover everything received. */
const MAX_ROWS = 2000;

function roomFromUrl(): string {
  const room = new URLSearchParams(location.search).get('room');
  return room !== null && /^[A-Za-z0-9_.:@-]{1,128}$/.test(room) ? room : 'dashboard';
}

/**
 * The dashboard's room on the hub: one rxsync client with a durable outbox, one transport object
 * for the room (whose carrier the user switches), and the two live documents the page shows.
 */
@Injectable({ providedIn: 'root' })
export class LiveRoom implements OnDestroy {
  readonly room = roomFromUrl();
  // One outbox database for every tab: one tab replays at a time, a closed tab's edits are sent by another.
  readonly outbox = createOutbox({ storage: localforageStorage({ name: 'rxsync-dashboard' }) });
  readonly client = createClient({ outbox: this.outbox, live: liveDocuments });
  readonly transport: SwitchableTransport<TransportKey>;
  /** Metric name → number, last writer wins per metric. */
  readonly metrics: LiveMap;
  /** Watched services: strings, a concurrent add wins over a remove. */
  readonly items: LiveSet;
  readonly log$: Observable<DeliveryLog>;

  constructor() {
    const base = location.origin;
    const hello = { room: this.room };
    const reconnect = { initialDelay: 300, maxDelay: 5000 };
    this.transport = switchable<TransportKey>(
      {
        websocket: webSocket(`${base.replace(/^http/, 'ws')}/ws`, { hello, reconnect }),
        sse: sse(`${base}/sse`, { postUrl: `${base}/send`, hello, reconnect }),
        polling: polling(`${base}/poll`, { postUrl: `${base}/send`, interval: 1000, hello, reconnect }),
      },
      'websocket',
    );
    // Subscribed before the documents open, so the log sees the room's history from the first op.
    this.log$ = this.transport.deliveries$.pipe(
      scan(appendDelivery, { rows: [], repeats: 0, gaps: 0, last: 0 }),
      map(({ rows, repeats, gaps }) => ({ rows, repeats, gaps })),
      shareReplay({ bufferSize: 1, refCount: false }),
    );
    this.log$.subscribe();
    this.metrics = this.client.live({ room: this.room, doc: 'metrics', type: 'lww-map', transport: this.transport });
    this.items = this.client.live({ room: this.room, doc: 'services', type: 'or-set', transport: this.transport });
    // Announced again after every (re)join, whichever transport carries it.
    this.metrics.setPresence({ view: 'dashboard' });
  }

  ngOnDestroy(): void {
    this.metrics.close();
    this.items.close();
    this.outbox.close();
  }
}

function appendDelivery(log: DeliveryLog & { last: number }, delivery: Delivery): DeliveryLog & { last: number } {
  if (delivery.seq === undefined) return log;
  const op = (delivery.message as { op?: { id?: unknown; doc?: unknown } }).op ?? {};
  const row: LogRow = { seq: delivery.seq, doc: String(op.doc), id: String(op.id), via: delivery.via };
  const rows = log.rows.length >= MAX_ROWS ? [...log.rows.slice(1 - MAX_ROWS), row] : [...log.rows, row];
  const repeats = log.repeats + (row.seq <= log.last ? 1 : 0);
  const gaps = log.gaps + Math.max(0, row.seq - log.last - 1);
  return { rows, repeats, gaps, last: Math.max(log.last, row.seq) };
}
