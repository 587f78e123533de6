/** A metric the dashboard knows: how to label it and the range its bar and chart are drawn against. */
export interface MetricSpec {
  readonly name: string;
  readonly label: string;
  readonly unit: string;
  /** The value a full bar stands for. */
  readonly max: number;
  /** From this value on the metric is shown as a warning. */
  readonly warn: number;
}

/** The metrics the load simulator writes. Their scales give the bars a meaning: a full bar is the limit. */
export const METRICS: readonly MetricSpec[] = [
  { name: 'cpu', label: 'CPU', unit: '%', max: 100, warn: 85 },
  { name: 'memory', label: 'Memory', unit: '%', max: 100, warn: 85 },
  { name: 'requests', label: 'Requests', unit: '/s', max: 1200, warn: 1000 },
  { name: 'latency', label: 'Latency p95', unit: 'ms', max: 250, warn: 200 },
];

/** Any other numeric metric: drawn against the largest value it has shown. */
export function specOf(name: string, history: readonly number[]): MetricSpec {
  const known = METRICS.find((m) => m.name === name);
  if (known !== undefined) return known;
  const max = Math.max(1, ...history.map(Math.abs));
  return { name, label: name, unit: '', max, warn: Number.POSITIVE_INFINITY };
}

/** Samples kept per metric for its chart. */
export const HISTORY = 60;

/** The history with `value` appended, at most {@link HISTORY} long. */
export function pushSample(history: readonly number[] | undefined, value: number): readonly number[] {
  const next = [...(history ?? []), value];
  return next.length > HISTORY ? next.slice(next.length - HISTORY) : next;
}

/** The share of the bar `value` fills, 0–100. */
export function fill(value: number, spec: MetricSpec): number {
  return Math.max(0, Math.min(100, (value / spec.max) * 100));
}

/**
 * An SVG path of the samples as a sparkline in a `width` × `height` box, against the metric's
 * scale (values above `max` stay at the top). Plain SVG rather than a chart library: one path per
 * metric and at most {@link HISTORY} points is a few hundred bytes of DOM per update and no
 * dependency (uPlot would add ~20 kB min+gzip for what four lines need).
 */
export function sparkline(samples: readonly number[], spec: MetricSpec, width: number, height: number): string {
  if (samples.length === 0) return '';
  const step = width / (HISTORY - 1);
  const offset = width - (samples.length - 1) * step; // newest at the right edge
  return samples
    .map((value, i) => {
      const x = offset + i * step;
      const y = height - (fill(value, spec) / 100) * height;
      return `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}
