import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hmacTokens } from '../../server/index';
import { seed } from '../support/fc';
import type { LiveTarget } from '../e2e/support/liveTarget';
import { convergeScenario } from '../e2e/scenarios/converge';
import { e2eRoomScenario } from '../e2e/scenarios/e2eRoom';
import { mvMapScenario } from '../e2e/scenarios/mvMap';
import { offlineRestartScenario } from '../e2e/scenarios/offlineRestart';
import { presenceScenario } from '../e2e/scenarios/presence';
import { startCluster, type Cluster } from './support/cluster';
import { clusterTarget } from './support/clusterTarget';
import { requireServices } from './support/services';

/**
 * The live e2e scenarios that run on one SQLite hub (test/e2e) run here on three hub processes
 * sharing a PostgreSQL log and a Redis bus: the clients of a scenario start on different hubs, so
 * every edit and every presence change has to cross the bus.
 */
const SECRET = 'cluster-live-secret-0123456789abcdef';
const tokens = hmacTokens({ secret: SECRET });
const EDITS = Number(process.env['LIVE_EDITS'] ?? (process.env['FC_RUNS'] ? 400 : 60));

describe('the live e2e scenarios on a cluster of three hub processes', () => {
  let cluster: Cluster | undefined;
  let target: LiveTarget;
  let dir: string;

  beforeAll(async () => {
    await requireServices();
    dir = mkdtempSync(join(tmpdir(), 'rxsync-live-cluster-'));
    cluster = await startCluster({ hubs: 3, label: 'live', args: ['--secret', SECRET] });
    target = clusterTarget(cluster, tokens.sign({ sub: 'tester', rooms: '*', expiresIn: 600 }));
  }, 60_000);

  afterAll(async () => {
    await cluster?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    `converge: ${EDITS} random concurrent edits over WebSocket, SSE and polling (seed ${seed})`,
    () => convergeScenario(target, 'converge', EDITS, seed),
    60_000,
  );

  it(
    'presence: who is here, their updates and their leaving, across hubs',
    () => presenceScenario(target, 'studio', (sub, rooms) => tokens.sign({ sub, rooms, expiresIn: 60 })),
    30_000,
  );

  it.each(['websocket', 'sse'] as const)(
    'offline restart: every edit a killed client queued reaches the others (%s)',
    (via) => offlineRestartScenario(target, `offline-${via}`, via, join(dir, `client-${via}`)),
    60_000,
  );

  it('mv-map: per-field conflicts and their resolution, across hubs', () => mvMapScenario(target, 'contacts'), 30_000);

  it('e2e room: the log keeps no plaintext, and the clients converge', () => e2eRoomScenario(target, 'diary'), 30_000);
});
