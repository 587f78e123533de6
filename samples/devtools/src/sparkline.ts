// Small live charts as plain SVG: a polyline of the last values, no chart library. A 60-point
// sparkline is one short string per refresh (well under a millisecond to build and paint), where a
// charting library such as uPlot would add ~20 kB gzip for axes and zooming the panel does not need.

/** The last `capacity` numbers of a measurement, oldest first. */
export class Series {
  private readonly values: number[] = [];

  constructor(private readonly capacity = 60) {}

  push(value: number): void {
    if (!Number.isFinite(value)) return;
    this.values.push(value);
    if (this.values.length > this.capacity) this.values.shift();
  }

  get points(): readonly number[] {
    return this.values;
  }

  get last(): number | undefined {
    return this.values.at(-1);
  }
}

export interface SparklineOptions {
  readonly label: string;
  /** Appended to the last value, e.g. `ms`. */
  readonly unit?: string;
  readonly testId: string;
  readonly width?: number;
  readonly height?: number;
}

/** One labelled sparkline (SVG markup): the series scaled to its own maximum, and its last value. */
export function sparkline(series: Series, { label, unit = '', testId, width = 140, height = 28 }: SparklineOptions): string {
  const values = series.points;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`).join(' ');
  const last = series.last;
  return `<figure class="spark" data-testid="${testId}" data-points="${values.length}" data-last="${last ?? ''}">
    <figcaption>${label}: <b>${last === undefined ? '—' : `${Math.round(last * 10) / 10}${unit}`}</b> <span class="dim">max ${Math.round(max)}${unit}</span></figcaption>
    <svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${label}">
      <polyline fill="none" stroke="currentColor" stroke-width="1.5" points="${points}" />
    </svg></figure>`;
}
