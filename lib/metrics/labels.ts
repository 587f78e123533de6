import { RxSyncError } from '../errors.js';
import { isLabelName } from './exposition.js';

/** Values for the labels of one series; every declared label name must be given. */
export type LabelValues<L extends string> = { readonly [K in L]: string | number };

/** What every instrument's config has. */
export interface MetricConfig<L extends string> {
  /** Metric name, e.g. `rxsync_hub_ops_applied_total`. */
  readonly name: string;
  /** One line saying what is measured (shown as `# HELP`). */
  readonly help: string;
  /** Names of the labels that split the metric into series. Default: none. */
  readonly labelNames?: readonly L[];
}

/**
 * The series of one metric, keyed by label values. Keys are built from the values in declared
 * order, so `{a, b}` and `{b, a}` land in the same series.
 */
export class SeriesMap<T> {
  private readonly series = new Map<string, { labels: (readonly [string, string])[]; data: T }>();

  constructor(
    private readonly metric: string,
    private readonly labelNames: readonly string[],
    private readonly init: () => T,
  ) {
    for (const name of labelNames) {
      if (!isLabelName(name)) throw new RxSyncError('E_OPTION_INVALID', `Metric ${metric}: invalid label name ${JSON.stringify(name)}`);
    }
  }

  /** The series for `values`, created on first use. */
  at(values: Readonly<Record<string, string | number>> | undefined): T {
    const parts = this.labelNames.map((name) => {
      const value = values?.[name];
      if (value === undefined) throw new RxSyncError('E_OPTION_INVALID', `Metric ${this.metric}: label ${name} is missing`);
      return String(value);
    });
    const key = parts.join('\u0000');
    let entry = this.series.get(key);
    if (entry === undefined) {
      entry = { labels: this.labelNames.map((name, i) => [name, parts[i] as string] as const), data: this.init() };
      this.series.set(key, entry);
    }
    return entry.data;
  }

  /** Whether the metric has no labels (then its single series is shown even before first use). */
  get unlabelled(): boolean {
    return this.labelNames.length === 0;
  }

  entries(): IterableIterator<{ labels: (readonly [string, string])[]; data: T }> {
    if (this.unlabelled && this.series.size === 0) this.at(undefined);
    return this.series.values();
  }
}
