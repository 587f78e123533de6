// What a live-sync scenario runs against: one hub with its log in SQLite, or (test/cluster) several
// hub processes sharing a log in PostgreSQL. A scenario asks the target for clients and reads the
// hub's merged values back, so the same scenario proves both deployments.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DocType } from '../../../lib/crdt/docTypes';
import type { Storage } from '../../../lib/storage/storage';
import { createHub, openSqliteLog, type Authenticate, type Hub } from '../../../server/index';
import { quietLogger } from '../../server/fixtures/hubFixture';
import { liveClient, type LiveClient, type Via } from './liveClients';

export interface LiveTarget {
  /** Names the deployment in test titles. */
  readonly name: string;
  /** A client joined to `room` over `via` (a cluster starts each new client on the next hub). */
  client(via: Via, room: string, options?: { storage?: Storage; token?: string }): LiveClient;
  /** The hub's merged value of a document, as read from its log (undefined: no such document, or end-to-end). */
  value(room: string, doc: string): Promise<{ type: DocType; value: unknown } | undefined>;
  /** The base URL of the `n`-th hub (modulo their number), for a client process of its own. */
  url(n: number): string;
  /** A token the hubs accept for any room, when they check tokens (for client processes of a scenario). */
  readonly token: string | undefined;
  /** Everything the hub stored, as text (database files or rows), to check what never reaches it. */
  storedText(): Promise<string>;
}

/** One in-process hub with its log in SQLite at `dir/hub.db`. */
export async function sqliteTarget(
  dir: string,
  options: { authenticate?: Authenticate } = {},
): Promise<LiveTarget & { hub: Hub; close(): Promise<void> }> {
  const hub = createHub({ log: await openSqliteLog({ path: join(dir, 'hub.db') }), logger: quietLogger, ...options });
  const base = (await hub.listen(0, '127.0.0.1')).url;
  return {
    name: 'one hub (SQLite)',
    hub,
    client: (via, room, clientOptions) => liveClient(base, via, room, clientOptions),
    value: (room, doc) => hub.value(room, doc),
    url: () => base,
    token: undefined,
    storedText: async () =>
      readdirSync(dir)
        .filter((file) => file.startsWith('hub.db'))
        .map((file) => readFileSync(join(dir, file)).toString('latin1'))
        .join(''),
    close: () => hub.close(),
  };
}
