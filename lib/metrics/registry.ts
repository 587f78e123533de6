import { RxSyncError } from '../errors.js';
import { createCounter, type Collectable, type Counter } from './counter.js';
import { escapeHelp, formatSample, isMetricName } from './exposition.js';
import { createGauge, type Gauge } from './gauge.js';
import { createHistogram, type Histogram, type HistogramConfig } from './histogram.js';
import type { MetricConfig } from './labels.js';

/** A set of metrics rendered together, e.g. for a `/metrics` endpoint. */
export interface Metrics {
  /** Registers a counter, or returns the one already registered under that name with the same shape. */
  counter<L extends string = never>(config: MetricConfig<L>): Counter<L>;
  gauge<L extends string = never>(config: MetricConfig<L>): Gauge<L>;
  histogram<L extends string = never>(config: HistogramConfig<L>): Histogram<L>;
  /** Every metric in the Prometheus text exposition format 0.0.4, in registration order. */
  render(): string;
}

/**
 * Creates a metrics registry. Instruments are plain in-memory numbers: recording costs a Map
 * lookup, and nothing is computed until `render()`.
 *
 * @example
 * ```ts
 * const metrics = createMetrics();
 * const errors = metrics.counter({ name: 'app_errors_total', help: 'Errors by code.', labelNames: ['code'] });
 * errors.inc({ code: 'E_HTTP' });
 * response.end(metrics.render()); // with Content-Type METRICS_CONTENT_TYPE
 * ```
 */
export function createMetrics(): Metrics {
  const registered = new Map<string, Collectable>();

  function register<M extends Collectable>(config: MetricConfig<string>, type: Collectable['type'], make: () => M): M {
    const existing = registered.get(config.name);
    if (existing !== undefined) {
      const sameLabels = existing.labelNames.join() === (config.labelNames ?? []).join();
      // Two components sharing a registry may both declare the metric; they then share it.
      if (existing.type === type && sameLabels) return existing as M;
      throw new RxSyncError('E_OPTION_INVALID', `Metric ${config.name} is already registered with another type or labels`);
    }
    if (!isMetricName(config.name)) throw new RxSyncError('E_OPTION_INVALID', `Invalid metric name ${JSON.stringify(config.name)}`);
    const metric = make();
    registered.set(config.name, metric);
    return metric;
  }

  return {
    counter: (config) => register(config, 'counter', () => createCounter(config)),
    gauge: (config) => register(config, 'gauge', () => createGauge(config)),
    histogram: (config) => register(config, 'histogram', () => createHistogram(config)),
    render() {
      const lines: string[] = [];
      for (const metric of registered.values()) {
        lines.push(`# HELP ${metric.name} ${escapeHelp(metric.help)}`, `# TYPE ${metric.name} ${metric.type}`);
        for (const sample of metric.samples()) lines.push(formatSample(metric.name, sample));
      }
      return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
    },
  };
}
