// What the devtools panel shows about open live documents: their sync state (connection, edits the
// hub has not acknowledged, when it last acknowledged one) and their multi-value conflicts, read
// from the documents' public signals; and recent refusals with the op and the code: ops the outbox
// dead-lettered (`mutation-dead` on `client.events$`) and problems a room reported (`errors$`:
// refused edits or connections, invalid messages). Acks are read from the outbox's `ack$`, whose
// op names its document (`client.events$` names only the room's scope, not the payload).
import type { Observable, Subscription } from 'rxjs';
import type { ClientEvent, Outbox } from 'rxsync';

/** The part of a live document (`client.live(...)`) the panel reads: every type has it. */
export interface WatchedDoc {
  readonly room: string;
  readonly doc: string;
  readonly type: string;
  /** Siblings (mv-register), siblings per field (mv-map), or empty. */
  readonly conflicts$: Observable<unknown>;
  readonly pending$: Observable<number>;
  readonly status$: Observable<{ readonly state: string; readonly joined: boolean }>;
  readonly errors$: Observable<{ readonly code: string; readonly message: string }>;
}

/** One field (or the whole value, `field` undefined) holding concurrent values. */
export interface ConflictRow {
  readonly field: string | undefined;
  readonly values: readonly string[];
}

export interface DocRow {
  readonly room: string;
  readonly doc: string;
  readonly type: string;
  state: string;
  joined: boolean;
  pending: number;
  /** When the hub last acknowledged an edit of this document (ms since epoch), 0 if never. */
  lastAckAt: number;
  conflicts: readonly ConflictRow[];
}

/** A refusal: an op dead-lettered by the outbox, or an error a room reported, with its code. */
export interface Refusal {
  readonly at: number;
  /** The op's name (and document, for live edits) or the document whose room reported it. */
  readonly what: string;
  /** The op id, when an op was refused. */
  readonly id: string | undefined;
  readonly code: string;
  readonly message: string;
}

const LIVE_OP = 'rxsync:live';
/** A room's edits share one outbox scope (`live:<room>`); events name the scope, not the payload. */
const roomOf = (name: string, scope: string): string | undefined =>
  name === LIVE_OP && scope.startsWith('live:') ? scope.slice(5) : undefined;
const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** Concurrent values as rows: an array of siblings is one row, a record of them one row per field. */
export function conflictRows(conflicts: unknown): ConflictRow[] {
  const values = (siblings: unknown): string[] => (Array.isArray(siblings) ? siblings.map((s: { value?: unknown }) => text(s?.value)) : []);
  if (Array.isArray(conflicts)) return conflicts.length > 1 ? [{ field: undefined, values: values(conflicts) }] : [];
  if (conflicts === null || typeof conflicts !== 'object') return [];
  return Object.entries(conflicts as Record<string, unknown>)
    .map(([field, siblings]) => ({ field, values: values(siblings) }))
    .filter((row) => row.values.length > 1);
}

/** Keeps one row per watched document and a bounded list of recent refusals. */
export class LiveDocsModel {
  readonly docs: DocRow[] = [];
  readonly refusals: Refusal[] = [];
  private readonly subscriptions: Subscription[] = [];

  constructor(
    docs: readonly WatchedDoc[],
    events$: Observable<ClientEvent> | undefined,
    outbox: Pick<Outbox, 'ack$'> | undefined,
    private readonly onChange: () => void,
    private readonly maxRefusals = 20,
  ) {
    for (const doc of docs) {
      const row: DocRow = {
        room: doc.room,
        doc: doc.doc,
        type: doc.type,
        state: '—',
        joined: false,
        pending: 0,
        lastAckAt: 0,
        conflicts: [],
      };
      this.docs.push(row);
      this.subscriptions.push(
        doc.status$.subscribe((s) => this.change(() => ((row.state = s.state), (row.joined = s.joined)))),
        doc.pending$.subscribe((n) => this.change(() => (row.pending = n))),
        doc.conflicts$.subscribe((c) => this.change(() => (row.conflicts = conflictRows(c)))),
        doc.errors$.subscribe((e) =>
          this.refuse({ at: Date.now(), what: `${doc.room}/${doc.doc}`, id: undefined, code: e.code, message: e.message }),
        ),
      );
    }
    if (events$) {
      this.subscriptions.push(
        events$.subscribe((event) => {
          if (event.type === 'mutation-dead') {
            const room = roomOf(event.name, event.scope);
            this.refuse({
              at: Date.now(),
              what: room === undefined ? event.name : `${event.name} (room ${room})`,
              id: event.id,
              code: event.code === undefined ? 'dead letter' : String(event.code),
              message: event.error,
            });
          }
        }),
      );
    }
    if (outbox) {
      this.subscriptions.push(
        outbox.ack$.subscribe(({ op }) => {
          const target = op.name === LIVE_OP ? (op.payload as { room?: unknown; doc?: unknown } | null) : null;
          const row = target && this.docs.find((d) => d.room === target.room && d.doc === target.doc);
          if (row) this.change(() => (row.lastAckAt = Date.now()));
        }),
      );
    }
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.unsubscribe());
  }

  private change(apply: () => unknown): void {
    apply();
    this.onChange();
  }

  private refuse(refusal: Refusal): void {
    this.refusals.unshift(refusal);
    if (this.refusals.length > this.maxRefusals) this.refusals.length = this.maxRefusals;
    this.onChange();
  }
}
