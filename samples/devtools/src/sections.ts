// The panel's newer sections as HTML: live charts, conflicts made visible (current multi-value
// conflicts and recent refusals) and per-document sync state. Pure functions of the models.
import type { DocRow, LiveDocsModel } from './liveDocsModel';
import { sparkline, type Series } from './sparkline';

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export const ago = (at: number, now: number): string => (at === 0 ? 'never' : `${Math.max(0, Math.round((now - at) / 1000))} s ago`);

/** The three measurements charted over the last minute or so. */
export interface ChartSeries {
  /** Duration of each finished fetch, in ms. */
  readonly fetchLatency: Series;
  /** Ops waiting in the outbox, sampled every refresh. */
  readonly outboxDepth: Series;
  /** The transports' heartbeat round-trip times, in ms, as they report them. */
  readonly rtt: Series;
}

export function chartsSection(series: ChartSeries): string {
  return `<section><h3>Live</h3><div class="charts">
    ${sparkline(series.fetchLatency, { label: 'fetch latency', unit: ' ms', testId: 'devtools-chart-fetch' })}
    ${sparkline(series.outboxDepth, { label: 'outbox depth', testId: 'devtools-chart-outbox' })}
    ${sparkline(series.rtt, { label: 'round trip', unit: ' ms', testId: 'devtools-chart-rtt' })}
  </div></section>`;
}

const docName = (d: DocRow): string => `${escapeHtml(d.room)}/${escapeHtml(d.doc)}`;

/** Conflicts made visible: every open document's concurrent values, then recent refusals. */
export function conflictsSection(model: LiveDocsModel, now: number): string {
  const conflictRows = model.docs
    .flatMap((d) =>
      d.conflicts.map(
        (c) => `<tr data-testid="devtools-conflict"><td>${docName(d)}</td><td class="dim">${escapeHtml(d.type)}</td>
          <td>${c.field === undefined ? '<span class="dim">(value)</span>' : escapeHtml(c.field)}</td>
          <td class="warn">${c.values.map(escapeHtml).join(' <span class="dim">|</span> ')}</td></tr>`,
      ),
    )
    .join('');
  const refusalRows = model.refusals
    .map(
      (r) => `<tr data-testid="devtools-refusal"><td class="dim">${ago(r.at, now)}</td><td>${escapeHtml(r.what)}</td>
        <td class="dim">${r.id === undefined ? '' : escapeHtml(r.id.slice(0, 8))}</td><td class="bad">${escapeHtml(r.code)}</td>
        <td>${escapeHtml(r.message)}</td></tr>`,
    )
    .join('');
  return `<section><h3>Conflicts</h3>
    ${conflictRows ? `<table data-testid="devtools-conflicts"><tr><th>document</th><th>type</th><th>field</th><th>concurrent values</th></tr>${conflictRows}</table>` : '<span class="dim">no conflicts in open documents</span>'}
    <h3>Refusals</h3>
    ${refusalRows ? `<table data-testid="devtools-refusals"><tr><th>when</th><th>op / document</th><th>id</th><th>code</th><th>message</th></tr>${refusalRows}</table>` : '<span class="dim">none</span>'}
  </section>`;
}

/** Per-document sync state: connection, edits not yet acknowledged, the last acknowledgement. */
export function docsSection(model: LiveDocsModel, now: number): string {
  if (model.docs.length === 0) return '';
  const rows = model.docs
    .map(
      (d) => `<tr data-testid="devtools-doc"><td>${docName(d)}</td><td class="dim">${escapeHtml(d.type)}</td>
        <td class="${d.joined ? 'ok' : 'warn'}">${d.joined ? 'joined' : escapeHtml(d.state)}</td>
        <td data-testid="devtools-doc-pending" class="${d.pending > 0 ? 'warn' : ''}">${d.pending}</td>
        <td>${ago(d.lastAckAt, now)}</td><td>${d.conflicts.length}</td></tr>`,
    )
    .join('');
  return `<section><h3>Live documents</h3><table><tr><th>document</th><th>type</th><th>sync</th><th>pending</th><th>last ack</th><th>conflicts</th></tr>${rows}</table></section>`;
}
