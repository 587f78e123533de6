import type { Counter, Gauge, Histogram, Metrics } from '../lib/metrics/index.js';

/** How a client is connected. */
export type TransportKind = 'ws' | 'sse' | 'poll';

/** The hub's instruments; their names are listed in PROTOCOL.md. */
export interface HubMetrics {
  readonly connections: Gauge<'transport'>;
  readonly connectionsTotal: Counter<'transport'>;
  readonly rooms: Gauge;
  readonly opsApplied: Counter;
  readonly opsDuplicate: Counter;
  readonly rejects: Counter<'code'>;
  readonly fanout: Histogram;
  readonly logWrite: Histogram;
  readonly snapshots: Counter;
  readonly outboundBytes: Gauge;
  readonly outboundBudget: Gauge;
  readonly inboundBytes: Gauge;
  readonly slowConsumerCuts: Counter<'reason'>;
  readonly busConnected: Gauge;
  readonly busOps: Counter;
  readonly gapFills: Counter;
  readonly gapFillOps: Counter;
  readonly opsSkipped: Counter;
}

/** Registers the hub's metrics in `metrics` (sharing them if another hub registered them first). */
export function hubMetrics(metrics: Metrics): HubMetrics {
  return {
    connections: metrics.gauge({ name: 'rxsync_hub_connections', help: 'Open client connections.', labelNames: ['transport'] }),
    connectionsTotal: metrics.counter({
      name: 'rxsync_hub_connections_total',
      help: 'Client connections opened since start.',
      labelNames: ['transport'],
    }),
    rooms: metrics.gauge({ name: 'rxsync_hub_rooms', help: 'Rooms loaded in memory.' }),
    opsApplied: metrics.counter({ name: 'rxsync_hub_ops_applied_total', help: 'Ops appended to the log and broadcast.' }),
    opsDuplicate: metrics.counter({
      name: 'rxsync_hub_ops_duplicate_total',
      help: 'Ops whose id the room had already logged (acked again, not applied).',
    }),
    rejects: metrics.counter({
      name: 'rxsync_hub_rejects_total',
      help: 'Refusals by error code: rejected ops, bad frames, failed hellos, limits.',
      labelNames: ['code'],
    }),
    fanout: metrics.histogram({
      name: 'rxsync_hub_fanout_seconds',
      help: 'From receipt of an op to its frame written to every connection of the room.',
    }),
    logWrite: metrics.histogram({ name: 'rxsync_hub_log_write_seconds', help: 'Duration of one op log append (one batch).' }),
    snapshots: metrics.counter({ name: 'rxsync_hub_snapshots_total', help: 'Room snapshots saved.' }),
    outboundBytes: metrics.gauge({
      name: 'rxsync_hub_outbound_bytes',
      help: 'Bytes queued to be sent, all connections together (at the last recount).',
    }),
    outboundBudget: metrics.gauge({ name: 'rxsync_hub_outbound_budget_bytes', help: 'The limits.outboundBytes budget.' }),
    inboundBytes: metrics.gauge({ name: 'rxsync_hub_inbound_bytes', help: 'Inbound bytes received and not yet handled or committed.' }),
    slowConsumerCuts: metrics.counter({
      name: 'rxsync_hub_slow_consumer_cuts_total',
      help: 'Connections cut as too slow: over their own maxBufferedBytes (connection) or largest when the hub was over its outbound budget (budget).',
      labelNames: ['reason'],
    }),
    busConnected: metrics.gauge({
      name: 'rxsync_hub_bus_connected',
      help: 'Whether the bus to the other hubs is connected (1) or not (0); 0 without a bus.',
    }),
    busOps: metrics.counter({ name: 'rxsync_hub_bus_ops_total', help: 'Ops received from other hubs over the bus.' }),
    gapFills: metrics.counter({
      name: 'rxsync_hub_gap_fills_total',
      help: 'Times a room read ops it lacked from the log (a gap in the seqs, a head past its own, a resync or a probe).',
    }),
    gapFillOps: metrics.counter({ name: 'rxsync_hub_gap_fill_ops_total', help: 'Ops read from the log by gap fills.' }),
    opsSkipped: metrics.counter({
      name: 'rxsync_hub_ops_skipped_total',
      help: 'Logged ops skipped by every hub alike: unreadable, or of another type than their document (created by two hubs at once).',
    }),
  };
}
