/**
 * Pieces of the Prometheus text exposition format 0.0.4: how names, label values, help text and
 * numbers are written. Kept apart from the instruments so each of them only keeps numbers.
 */

/** The `Content-Type` of {@link Metrics.render}'s output. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** One line of output before formatting: `name{labels} value`. */
export interface Sample {
  /** Appended to the metric name: `''`, `'_bucket'`, `'_sum'` or `'_count'`. */
  readonly suffix: string;
  readonly labels: readonly (readonly [string, string])[];
  readonly value: number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Whether `name` is a valid metric name. */
export function isMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}

/** Whether `name` may be a label name (names starting with `__` are reserved by Prometheus). */
export function isLabelName(name: string): boolean {
  return LABEL_NAME.test(name) && !name.startsWith('__');
}

/** A number as Prometheus reads it (`+Inf`, `-Inf`, `NaN` spelled its way). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Help text: backslash and line feed are escaped. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Label value: backslash, double quote and line feed are escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `name{a="x",b="y"} value` */
export function formatSample(name: string, sample: Sample): string {
  const labels = sample.labels.length === 0 ? '' : `{${sample.labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
  return `${name}${sample.suffix}${labels} ${formatValue(sample.value)}`;
}
