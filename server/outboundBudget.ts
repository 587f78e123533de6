import type { HubMetrics } from './hubMetrics.js';
import { afterIo } from './afterIo.js';

/** A connection whose unsent bytes the budget counts and may cut. */
export interface BudgetedConnection {
  /** Bytes written to the connection and not yet handed to the network (ws `bufferedAmount`, stream or poll queue). */
  queuedBytes(): number;
  /** Ends the connection as too slow, resumably: the client rejoins with its last seq and loses nothing. */
  cutAsSlow(reason: 'connection' | 'budget'): void;
}

/**
 * One budget for every outbound buffer of the hub. Each write records the writer's queue size (a
 * Map update); when the recorded total passes the budget, a recount at the end of the tick reads
 * every queue again (they drain meanwhile) and, if the hub is really over, cuts the connections with
 * the largest queues until it is back under. A slow reader thus costs its own connection, never the
 * hub's memory.
 */
export class OutboundBudget {
  private readonly counted = new Map<BudgetedConnection, number>();
  private recorded = 0;
  private recountScheduled = false;

  constructor(
    /** Bytes queued across all connections before the largest queues are cut. */
    readonly limit: number,
    private readonly metrics: HubMetrics,
  ) {
    metrics.outboundBudget.set(limit);
  }

  /** Records `connection`'s queue after a write; schedules a recount when the hub may be over budget. */
  record(connection: BudgetedConnection, bytes: number): void {
    this.recorded += bytes - (this.counted.get(connection) ?? 0);
    this.counted.set(connection, bytes);
    if (this.recorded > this.limit && !this.recountScheduled) {
      this.recountScheduled = true;
      // After this tick's writes, not per write: one recount however many sockets a broadcast reached.
      afterIo(() => {
        this.recountScheduled = false;
        this.enforce();
      });
    }
  }

  /** The connection is gone: its queue no longer counts. */
  forget(connection: BudgetedConnection): void {
    const bytes = this.counted.get(connection);
    if (bytes === undefined) return;
    this.recorded -= bytes;
    this.counted.delete(connection);
  }

  /** Reads every queue again; returns the total (also published as a gauge). */
  recount(): number {
    let total = 0;
    for (const connection of this.counted.keys()) {
      const bytes = connection.queuedBytes();
      this.counted.set(connection, bytes);
      total += bytes;
    }
    this.recorded = total;
    this.metrics.outboundBytes.set(total);
    return total;
  }

  /** Recounts, then cuts the largest queues while the total is over the budget. */
  enforce(): void {
    let total = this.recount();
    if (total <= this.limit) return;
    const largestFirst = [...this.counted].sort((a, b) => b[1] - a[1]);
    for (const [connection, bytes] of largestFirst) {
      if (total <= this.limit || bytes === 0) break;
      total -= bytes;
      // Cutting calls forget() through the session's close.
      connection.cutAsSlow('budget');
    }
    this.metrics.outboundBytes.set(total);
  }
}
