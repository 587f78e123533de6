// Metrics: counters, gauges and histograms with labels, rendered in the Prometheus text format.
export { createMetrics, type Metrics } from './registry.js';
export type { Counter } from './counter.js';
export type { Gauge } from './gauge.js';
export { DEFAULT_BUCKETS, type Histogram, type HistogramConfig } from './histogram.js';
export type { LabelValues, MetricConfig } from './labels.js';
export { METRICS_CONTENT_TYPE } from './exposition.js';
