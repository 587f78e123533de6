import type { HubBus } from './hubBus.js';
import type { HubMetrics } from './hubMetrics.js';
import type { InboundGate } from './inboundGate.js';
import type { ResolvedLimits } from './limits.js';
import type { OpLog } from './opLog.js';

/** What a room needs from the hub that owns it. */
export interface RoomHost {
  readonly log: OpLog;
  readonly metrics: HubMetrics;
  readonly limits: ResolvedLimits;
  /** Inbound bytes in flight: ops hold theirs until committed. */
  readonly inbound: InboundGate;
  /** Save a snapshot after this many ops since the last one. */
  readonly snapshotEvery: number;
  /** The channel to the other hubs serving the same rooms over the same log, if any. */
  readonly bus?: HubBus;
  /** Ms the other hubs keep this hub's peers without hearing from it (sent with `peers`). */
  readonly presenceTtl: number;
  now(): number;
  /** Failures nobody is waiting for (a snapshot that could not be saved). */
  reportError(error: unknown): void;
  /** The room has no sessions and no pending writes: it may be unloaded. */
  idle(room: string): void;
}
