// The live e2e scenarios' target on a cluster: each new client starts on the next hub process (and
// fails over along the rest), values are read back from the PostgreSQL log, and what the hubs
// stored is every row of the test's schema.
import type { LiveTarget } from '../../e2e/support/liveTarget';
import type { Cluster } from './cluster';
import { clusterClient } from './clusterClients';
import { valuesInLog } from './readBack';
import { pgQuery } from './services';

/** A {@link LiveTarget} on `cluster`; `token` (when its hubs check tokens) is given to clients that bring none. */
export function clusterTarget(cluster: Cluster, token?: string): LiveTarget {
  let next = 0;
  return {
    name: `${cluster.hubs.length} hub processes (PostgreSQL, Redis)`,
    client(via, room, options = {}) {
      const withToken = options.token === undefined && token !== undefined ? { ...options, token } : options;
      return clusterClient(cluster.urls(next++), via, room, withToken);
    },
    value: async (room, doc) => (await valuesInLog(cluster.isolation.schema, room, [doc]))[doc],
    url: (n) => cluster.urls(n)[0]!,
    token,
    async storedText() {
      const { schema } = cluster.isolation;
      const tables = await pgQuery<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [
        schema,
      ]);
      const texts = await Promise.all(
        tables.map(async ({ table_name }) =>
          (await pgQuery<{ row: string }>(`SELECT t::text AS row FROM "${schema}"."${table_name}" t`)).map((r) => r.row).join('\n'),
        ),
      );
      return texts.join('\n');
    },
  };
}
