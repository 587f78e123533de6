// The state of a room as PostgreSQL holds it: a hub of the test's own, in this process, on the
// cluster's schema, folds the log as any fresh hub process would.
import type { DocType } from '../../../lib/crdt/docTypes';
import { createHub } from '../../../server/hub';
import type { LoggedOp } from '../../../server/opLog';
import { postgresLog } from '../../../server/postgresLog';
import { quietLogger } from '../../server/fixtures/hubFixture';
import { PG_URL } from './services';

/** Each document's merged value as read back from the log in `schema` (undefined: no such document). */
export async function valuesInLog(
  schema: string,
  room: string,
  docs: readonly string[],
): Promise<Record<string, { type: DocType; value: unknown } | undefined>> {
  const log = await postgresLog({ connectionString: PG_URL, schema });
  const hub = createHub({ log, logger: quietLogger });
  try {
    const out: Record<string, { type: DocType; value: unknown } | undefined> = {};
    for (const doc of docs) out[doc] = await hub.value(room, doc);
    return out;
  } finally {
    await hub.close();
  }
}

/** Every op of `room` in the log in `schema`, in seq order (read in pages, as a hub replays). */
export async function opsInLog(schema: string, room: string): Promise<LoggedOp[]> {
  const log = await postgresLog({ connectionString: PG_URL, schema });
  try {
    const ops: LoggedOp[] = [];
    for (;;) {
      const page = await log.read(room, ops.length === 0 ? 0 : ops[ops.length - 1]!.seq, 500);
      if (page.length === 0) return ops;
      ops.push(...page);
    }
  } finally {
    await log.close();
  }
}
