/// <reference types="node" />
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Metrics } from '../lib/metrics/index.js';

/** Process and event-loop gauges, refreshed on each scrape. */
export interface ProcessMetrics {
  /** Reads memory, event-loop delay (since the last sample) and utilisation into the gauges. */
  sample(): void;
  /** Stops the event-loop delay monitor. */
  stop(): void;
}

/**
 * Registers the process gauges in `metrics` under the names `prom-client`'s default metrics use,
 * so existing dashboards work: resident memory, V8 heap, external memory, event-loop delay
 * percentiles and utilisation. Nothing is read between scrapes except the delay histogram.
 */
export function processMetrics(metrics: Metrics): ProcessMetrics {
  const rss = metrics.gauge({ name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes.' });
  const heapUsed = metrics.gauge({ name: 'nodejs_heap_size_used_bytes', help: 'V8 heap in use, in bytes.' });
  const heapTotal = metrics.gauge({ name: 'nodejs_heap_size_total_bytes', help: 'V8 heap allocated, in bytes.' });
  const external = metrics.gauge({
    name: 'nodejs_external_memory_bytes',
    help: 'Memory of buffers and other objects outside the V8 heap, in bytes.',
  });
  const lag = metrics.gauge({
    name: 'nodejs_eventloop_lag_seconds',
    help: 'Event-loop delay since the last scrape, by quantile.',
    labelNames: ['quantile'],
  });
  const utilization = metrics.gauge({
    name: 'nodejs_eventloop_utilization_ratio',
    help: 'Share of time the event loop was busy since the last scrape (0 to 1).',
  });
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let lastElu: EventLoopUtilization = performance.eventLoopUtilization();
  return {
    sample() {
      const memory = process.memoryUsage();
      rss.set(memory.rss);
      heapUsed.set(memory.heapUsed);
      heapTotal.set(memory.heapTotal);
      external.set(memory.external);
      // The histogram is in ns; it reports NaN-free zeros until the first delay is recorded.
      for (const q of [50, 90, 99]) lag.set(delay.count === 0 ? 0 : delay.percentile(q) / 1e9, { quantile: String(q / 100) });
      lag.set(delay.count === 0 ? 0 : delay.max / 1e9, { quantile: '1' });
      delay.reset();
      const now = performance.eventLoopUtilization();
      utilization.set(performance.eventLoopUtilization(now, lastElu).utilization);
      lastElu = now;
    },
    stop() {
      delay.disable();
    },
  };
}
