import type { Observable } from 'rxjs';
import type { DocType } from '../lib/crdt/docTypes.js';
import { createMetrics } from '../lib/metrics/index.js';
import type { Authenticate } from '../server/auth.js';
import { createHubCore, type HubCore } from '../server/hubCore.js';
import type { HubLimits } from '../server/limits.js';
import type { HubLogger } from '../server/logger.js';
import { memoryLog } from '../server/memoryLog.js';
import { createTransport } from '../transports/createTransport.js';
import type { Transport } from '../transports/transport.js';
import { hubConnector } from './hubConnector.js';

/** Options of {@link createTestHub}. */
export interface TestHubOptions {
  /** Who may join which room, as for the real hub (`allow`, `deny`, or your own). Default: everyone. */
  readonly authenticate?: Authenticate;
  /** The hub's limits (sizes, rates, counts), as for the real hub. */
  readonly limits?: HubLimits;
  /** Which rooms are end-to-end encrypted. Default: names starting with `e2e:`. */
  readonly endToEnd?: (room: string) => boolean;
  /** Where the hub logs. Default: nowhere (errors still reach `onError`). */
  readonly logger?: HubLogger;
  /** Failures no client is waiting for. Default: none. */
  readonly onError?: (error: unknown) => void;
}

/** Options of {@link TestHub.transport}. */
export interface TestTransportOptions {
  /** The room to join. */
  readonly room: string;
  /** The token of the hello, if the hub authenticates. */
  readonly token?: string;
  /**
   * The client's network: while it says false the hub is unreachable from this transport (an
   * open connection drops, new ones fail) and the transport reports `offline`. Default: always online.
   */
  readonly online$?: Observable<boolean>;
}

/**
 * The real hub's room logic (validation, sequence numbers, acks, presence, auth, limits) on an
 * in-memory log, reached through in-memory transports instead of `node:http`: no port, no Node
 * builtins, so it runs in a browser test too. Pair it with {@link createTestClient}.
 */
export interface TestHub {
  /** A transport to one room of this hub, for `client.live({ …, transport })`. */
  transport<In = unknown, Out = unknown>(options: TestTransportOptions): Transport<In, Out>;
  /** The hub's merged value of a document (`undefined` if nobody wrote it). */
  value(room: string, doc: string): Promise<{ type: DocType; value: unknown } | undefined>;
  /** The room's latest sequence number: how many ops the hub accepted in it. */
  head(room: string): Promise<number>;
  /** How many clients are connected now. */
  connections(): number;
  /** Ends every connection and forgets the log. */
  close(): Promise<void>;
}

const silent: HubLogger = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * Creates an in-memory {@link TestHub}.
 *
 * @example
 * ```ts
 * const hub = createTestHub();
 * const note = client.live({ room: 'r', doc: 'n', type: 'lww-map', transport: hub.transport({ room: 'r' }) });
 * ```
 */
export function createTestHub(options: TestHubOptions = {}): TestHub {
  const core: HubCore = createHubCore({
    log: memoryLog(),
    metrics: createMetrics(),
    logger: options.logger ?? silent,
    ...(options.authenticate === undefined ? {} : { authenticate: options.authenticate }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.endToEnd === undefined ? {} : { endToEnd: options.endToEnd }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
  });
  let closed: Promise<void> | undefined;
  return {
    transport<In, Out>({ room, token, online$ }: TestTransportOptions): Transport<In, Out> {
      return createTransport<In, Out>(
        'memory',
        hubConnector(core, online$),
        {
          hello: token === undefined ? { room } : { room, token },
          // No jitter: the same run reconnects at the same virtual times.
          reconnect: { initialDelay: 100, maxDelay: 2000, jitter: 'none' },
          ...(online$ === undefined ? {} : { online$ }),
        },
        { reconnect: {}, heartbeat: false },
      );
    },
    value: (room, doc) => core.value(room, doc),
    head: (room) => core.head(room),
    connections: () => core.sessions.size,
    close() {
      closed ??= (async () => {
        core.endSessions();
        await core.release();
      })();
      return closed;
    },
  };
}
