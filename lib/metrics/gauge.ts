import type { Collectable } from './counter.js';
import { SeriesMap, type LabelValues, type MetricConfig } from './labels.js';

/** A number that goes up and down (open connections, loaded rooms, queue length). */
export interface Gauge<L extends string = never> {
  readonly name: string;
  set(value: number, labels?: LabelValues<L>): void;
  inc(labels?: LabelValues<L>): void;
  dec(labels?: LabelValues<L>): void;
  add(amount: number, labels?: LabelValues<L>): void;
  get(labels?: LabelValues<L>): number;
}

/** Creates a gauge; use {@link Metrics.gauge} to have it rendered. */
export function createGauge<L extends string = never>(config: MetricConfig<L>): Gauge<L> & Collectable {
  const labelNames = config.labelNames ?? [];
  const series = new SeriesMap(config.name, labelNames, () => ({ value: 0 }));
  return {
    name: config.name,
    help: config.help,
    type: 'gauge',
    labelNames,
    set: (value, labels) => void (series.at(labels).value = value),
    inc: (labels) => void (series.at(labels).value += 1),
    dec: (labels) => void (series.at(labels).value -= 1),
    add: (amount, labels) => void (series.at(labels).value += amount),
    get: (labels) => series.at(labels).value,
    samples: () => [...series.entries()].map(({ labels, data }) => ({ suffix: '', labels, value: data.value })),
  };
}
