import { RxSyncError } from '../errors.js';
import type { Collectable } from './counter.js';
import { formatValue, type Sample } from './exposition.js';
import { SeriesMap, type LabelValues, type MetricConfig } from './labels.js';

/** Bucket bounds used when none are given: 0.5 ms to 10 s, for latencies in seconds. */
export const DEFAULT_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Options of a histogram. */
export interface HistogramConfig<L extends string> extends MetricConfig<L> {
  /** Upper bounds of the buckets, ascending; `+Inf` is added. Default {@link DEFAULT_BUCKETS}. */
  readonly buckets?: readonly number[];
}

/** Counts observations into buckets (latencies, sizes), with their sum and count. */
export interface Histogram<L extends string = never> {
  readonly name: string;
  observe(value: number, labels?: LabelValues<L>): void;
  /** Count and sum of one series, for tests and dashboards in the app. */
  get(labels?: LabelValues<L>): { count: number; sum: number };
}

interface HistogramSeries {
  readonly counts: number[];
  sum: number;
  count: number;
}

/** Creates a histogram; use {@link Metrics.histogram} to have it rendered. */
export function createHistogram<L extends string = never>(config: HistogramConfig<L>): Histogram<L> & Collectable {
  const labelNames = config.labelNames ?? [];
  if (labelNames.includes('le' as L)) throw new RxSyncError('E_OPTION_INVALID', `Histogram ${config.name}: "le" is a reserved label`);
  const bounds = [...(config.buckets ?? DEFAULT_BUCKETS)];
  if (bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (bounds[i - 1] as number)))) {
    throw new RxSyncError('E_OPTION_INVALID', `Histogram ${config.name}: buckets must be finite and strictly ascending`);
  }
  const series = new SeriesMap<HistogramSeries>(config.name, labelNames, () => ({ counts: bounds.map(() => 0), sum: 0, count: 0 }));
  return {
    name: config.name,
    help: config.help,
    type: 'histogram',
    labelNames,
    observe(value, labels) {
      const s = series.at(labels);
      // Counts are kept per bucket and made cumulative only when rendering.
      const index = bounds.findIndex((bound) => value <= bound);
      if (index >= 0) s.counts[index] = (s.counts[index] as number) + 1;
      s.sum += value;
      s.count += 1;
    },
    get(labels) {
      const s = series.at(labels);
      return { count: s.count, sum: s.sum };
    },
    samples() {
      const out: Sample[] = [];
      for (const { labels, data } of series.entries()) {
        let cumulative = 0;
        bounds.forEach((bound, i) => {
          cumulative += data.counts[i] as number;
          out.push({ suffix: '_bucket', labels: [...labels, ['le', formatValue(bound)]], value: cumulative });
        });
        out.push({ suffix: '_bucket', labels: [...labels, ['le', '+Inf']], value: data.count });
        out.push({ suffix: '_sum', labels, value: data.sum });
        out.push({ suffix: '_count', labels, value: data.count });
      }
      return out;
    },
  };
}
