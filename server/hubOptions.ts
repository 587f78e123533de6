import type { Metrics } from '../lib/metrics/index.js';
import type { Authenticate } from './auth.js';
import type { HubBus } from './hubBus.js';
import type { HubLimits } from './limits.js';
import type { HubLogger } from './logger.js';
import type { OpLog } from './opLog.js';

/** Options of {@link createHub}. */
export interface HubOptions {
  /** Where ops are stored: `await openSqliteLog({ path })`, or `memoryLog()` in tests. The hub owns it and closes it. */
  readonly log: OpLog;
  /** Decides who may join which room (see `hmacTokens`). Default: everyone, anonymously. */
  readonly authenticate?: Authenticate;
  /** Size, rate and count limits (see {@link HubLimits} for the defaults). */
  readonly limits?: HubLimits;
  /** Ms without any frame (or poll) after which a connection is closed and leaves the room. Default 30 000. */
  readonly presenceTimeout?: number;
  /** Save a room snapshot every this many ops. Default 1000. */
  readonly snapshotEvery?: number;
  /** Which rooms are end-to-end encrypted (opaque string op bodies, no state, no snapshots). Default: names starting with `e2e:`. */
  readonly endToEnd?: (room: string) => boolean;
  /** The registry the hub's metrics go into (served at `/metrics`). Default: a new one. */
  readonly metrics?: Metrics;
  /** Ms an empty room stays in memory. Default 30 000. */
  readonly unloadAfter?: number;
  /**
   * Ms before a session's token expires (`expiresAt` from `authenticate`) at which the hub sends
   * `refresh`, asking the client for a fresh token in band; a session still on the old token at
   * its expiry is closed (4401). Default 60 000.
   */
  readonly refreshBefore?: number;
  /** Failures no client is waiting for (a log write or snapshot that failed), besides the logger. */
  readonly onError?: (error: unknown) => void;
  /**
   * Where the hub logs (errors, refusals that close a connection, drain): a pino logger or anything
   * with its `error`/`warn`/`info`/`debug(fields, message)`. Default: pino, JSON lines to stderr at `info`.
   */
  readonly logger?: HubLogger;
  /**
   * The channel to the other hubs serving the same rooms over the same (shared) `log`, when several
   * hub processes run behind a load balancer (`redisBus`, or `memoryBusNetwork().bus()` in tests).
   * The hub owns it and closes it. Without it the hub assumes it is the log's only writer.
   */
  readonly bus?: HubBus;
  /** With a bus: ms the other hubs keep this hub's peers without news from it (it re-announces them every third of it). Default 15 000. */
  readonly presenceTtl?: number;
  /** With a bus: ms between reads of each loaded room's head in the log, so an op whose bus event was lost is still caught. Default 1000. */
  readonly probeInterval?: number;
}
