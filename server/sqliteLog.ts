import type BetterSqlite3 from 'better-sqlite3';
import type { Json } from '../lib/crdt/json.js';
import { RxSyncError } from '../lib/errors.js';
import { isDocType } from '../lib/crdt/docTypes.js';
import type { HubOp } from '../lib/protocol/hubMessages.js';
import type { AppendResult, LoggedOp, OpLog, RoomSnapshot, SnapshotDoc } from './opLog.js';

/** Options of {@link openSqliteLog}. */
export interface SqliteLogOptions {
  /** Database file (created if missing); its folder must exist. */
  readonly path: string;
  /**
   * `'full'` (default) syncs the write-ahead log on every commit: an acked op survives a power cut.
   * `'normal'` is faster and still survives a process crash, but a power cut may lose the last commits.
   */
  readonly synchronous?: 'full' | 'normal';
}

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS rxsync_ops (
  room TEXT NOT NULL,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  doc TEXT NOT NULL,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (room, seq),
  UNIQUE (room, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rxsync_snapshots (
  room TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  docs TEXT NOT NULL
) WITHOUT ROWID;
`;

interface OpRow {
  seq: number;
  id: string;
  doc: string;
  type: string;
  body: string;
}

interface SnapshotRow {
  seq: number;
  docs: string;
}

type SqliteConstructor = typeof BetterSqlite3;

async function loadDriver(): Promise<SqliteConstructor> {
  try {
    // Loaded here, not at the top: importing rxsync/server must work without the native module.
    const mod = (await import('better-sqlite3')) as unknown as { default?: SqliteConstructor } & SqliteConstructor;
    return mod.default ?? mod;
  } catch (error) {
    throw new RxSyncError('E_DEPENDENCY_MISSING', 'openSqliteLog needs better-sqlite3: npm install better-sqlite3@12', { cause: error });
  }
}

function readFailure(room: string, what: string, cause?: unknown): RxSyncError {
  return new RxSyncError('E_LOG_READ', `Op log of room ${room}: ${what}`, { cause, details: { room } });
}

function parseStored(room: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw readFailure(room, 'stored JSON is damaged', error);
  }
}

/**
 * Opens (or creates) the durable {@link OpLog} in one SQLite file, through better-sqlite3 (an
 * optional peer dependency, loaded only when this is called). The database runs in WAL mode with
 * `synchronous=FULL` by default; each `append` is one transaction, so a batch of ops from the same
 * tick costs one sync. Op ids are unique per room (`UNIQUE(room, id)`), so a resent op is
 * recognised even after a restart. Ops are never deleted.
 *
 * @example
 * ```ts
 * const log = await openSqliteLog({ path: './data/hub.db' });
 * const hub = createHub({ log });
 * ```
 */
export async function openSqliteLog(options: SqliteLogOptions): Promise<OpLog> {
  const Database = await loadDriver();
  let db: BetterSqlite3.Database;
  try {
    db = new Database(options.path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('busy_timeout = 5000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      db.close();
      throw new RxSyncError('E_LOG_READ', `Op log ${options.path} has schema ${version}; this rxsync knows up to ${SCHEMA_VERSION}`);
    }
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  } catch (error) {
    if (error instanceof RxSyncError) throw error;
    throw new RxSyncError('E_LOG_READ', `Cannot open the op log ${options.path}`, { cause: error });
  }

  const headOf = db.prepare<[string], number>('SELECT COALESCE(MAX(seq), 0) FROM rxsync_ops WHERE room = ?').pluck();
  const insert = db.prepare<[string, number, string, string, string, string]>(
    'INSERT INTO rxsync_ops (room, seq, id, doc, type, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (room, id) DO NOTHING',
  );
  const select = db.prepare<[string, number, number], OpRow>(
    'SELECT seq, id, doc, type, body FROM rxsync_ops WHERE room = ? AND seq > ? ORDER BY seq LIMIT ?',
  );
  const selectSnapshot = db.prepare<[string], SnapshotRow>('SELECT seq, docs FROM rxsync_snapshots WHERE room = ?');
  const upsertSnapshot = db.prepare<[string, number, string]>(
    'INSERT INTO rxsync_snapshots (room, seq, docs) VALUES (?, ?, ?) ON CONFLICT (room) DO UPDATE SET seq = excluded.seq, docs = excluded.docs',
  );

  const appendBatch = db.transaction((room: string, ops: readonly HubOp[]): AppendResult => {
    let head = headOf.get(room) ?? 0;
    const applied: LoggedOp[] = [];
    const duplicates: string[] = [];
    for (const op of ops) {
      // DO NOTHING on a known id: `changes` says whether this op is new.
      const { changes } = insert.run(room, head + 1, op.id, op.doc, op.type, JSON.stringify(op.body));
      if (changes === 0) {
        duplicates.push(op.id);
      } else {
        head += 1;
        applied.push({ seq: head, op });
      }
    }
    return { applied, duplicates };
  });

  const saveSnapshotTx = db.transaction((room: string, snapshot: RoomSnapshot): void => {
    const head = headOf.get(room) ?? 0;
    if (snapshot.seq > head) {
      throw new RxSyncError('E_LOG_WRITE', `Snapshot at seq ${snapshot.seq} is past the head of room ${room} (${head})`);
    }
    upsertSnapshot.run(room, snapshot.seq, JSON.stringify(snapshot.docs));
  });

  const guard = <T>(code: 'E_LOG_READ' | 'E_LOG_WRITE', room: string, run: () => T): T => {
    if (!db.open) throw new RxSyncError(code, 'The op log is closed');
    try {
      return run();
    } catch (error) {
      if (error instanceof RxSyncError) throw error;
      throw new RxSyncError(code, `Op log of room ${room}: ${code === 'E_LOG_READ' ? 'read' : 'write'} failed`, {
        cause: error,
        details: { room },
      });
    }
  };

  return {
    async append(room, ops) {
      return guard('E_LOG_WRITE', room, () => appendBatch.immediate(room, ops));
    },
    async read(room, afterSeq, limit) {
      return guard('E_LOG_READ', room, () =>
        select.all(room, afterSeq, limit).map((row): LoggedOp => {
          if (!isDocType(row.type)) throw readFailure(room, `op ${row.seq} has an unknown type`);
          return { seq: row.seq, op: { id: row.id, doc: row.doc, type: row.type, body: parseStored(room, row.body) as Json } };
        }),
      );
    },
    async head(room) {
      return guard('E_LOG_READ', room, () => headOf.get(room) ?? 0);
    },
    async snapshot(room) {
      return guard('E_LOG_READ', room, () => {
        const row = selectSnapshot.get(room);
        if (row === undefined) return undefined;
        const docs = parseStored(room, row.docs);
        if (!Array.isArray(docs)) throw readFailure(room, 'stored snapshot is not a list');
        return { seq: row.seq, docs: docs as SnapshotDoc[] };
      });
    },
    async saveSnapshot(room, snapshot) {
      guard('E_LOG_WRITE', room, () => saveSnapshotTx.immediate(room, snapshot));
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
