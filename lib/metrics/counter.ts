import { RxSyncError } from '../errors.js';
import type { Sample } from './exposition.js';
import { SeriesMap, type LabelValues, type MetricConfig } from './labels.js';

/** A number that only goes up (requests served, ops applied, errors by code). */
export interface Counter<L extends string = never> {
  readonly name: string;
  /** Adds one. */
  inc(labels?: LabelValues<L>): void;
  /** Adds `amount` (finite, ≥ 0). */
  add(amount: number, labels?: LabelValues<L>): void;
  /** The current value of one series (0 before its first use). */
  get(labels?: LabelValues<L>): number;
}

/** The parts of an instrument the registry needs to render it. */
export interface Collectable {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly labelNames: readonly string[];
  samples(): Sample[];
}

/** Creates a counter; use {@link Metrics.counter} to have it rendered. */
export function createCounter<L extends string = never>(config: MetricConfig<L>): Counter<L> & Collectable {
  const labelNames = config.labelNames ?? [];
  const series = new SeriesMap(config.name, labelNames, () => ({ value: 0 }));
  const add = (amount: number, labels?: LabelValues<L>): void => {
    if (!Number.isFinite(amount) || amount < 0) {
      throw new RxSyncError('E_OPTION_INVALID', `Counter ${config.name} can only grow by a finite amount ≥ 0, got ${amount}`);
    }
    series.at(labels).value += amount;
  };
  return {
    name: config.name,
    help: config.help,
    type: 'counter',
    labelNames,
    inc: (labels) => add(1, labels),
    add,
    get: (labels) => series.at(labels).value,
    samples: () => [...series.entries()].map(({ labels, data }) => ({ suffix: '', labels, value: data.value })),
  };
}
