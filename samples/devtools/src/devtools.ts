// The rxsync devtools panel: framework-free, so any app (Svelte, Angular, plain) can embed it.
//
//   import { mountDevtools } from '../devtools/src/devtools';
//   const panel = mountDevtools(element, { client, outbox, transports: { todos: transport } });
//   panel.destroy();
//
// It renders into a shadow root (its styles never leak), shows live charts (fetch latency, outbox
// depth, round-trip time), conflicts and refusals, the sync state of live documents, the query
// cache, the outbox with its dead letters (retry / discard), connections and recent events, and
// refreshes every second.
import type { DeadLetter } from 'rxsync';
import { ChartsModel } from './chartsModel';
import { DevtoolsModel, messageOf, type DevtoolsSources } from './devtoolsModel';
import { LiveDocsModel } from './liveDocsModel';
import { ago, chartsSection, conflictsSection, docsSection, escapeHtml } from './sections';

export type { DevtoolsSources, WatchedTransport } from './devtoolsModel';
export type { WatchedDoc } from './liveDocsModel';

export interface DevtoolsOptions extends DevtoolsSources {
  /** Start folded (a summary line only). Default false. */
  readonly collapsed?: boolean;
  /** Refresh period in ms. Default 1000. */
  readonly refreshMs?: number;
}

export interface DevtoolsHandle {
  /** Re-renders now. */
  refresh(): void;
  /** Stops watching and removes the panel. */
  destroy(): void;
}

const STYLE = `
:host { display: block; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; color: #e6e6e6; }
details { background: #1e1f24; border-radius: 6px; overflow: hidden; }
summary { cursor: pointer; padding: 6px 10px; background: #2b2d35; user-select: none; }
.body { padding: 8px 10px; display: grid; gap: 10px; max-height: 420px; overflow: auto; }
h3 { margin: 0 0 4px; font-size: 12px; color: #9ecbff; }
table { border-collapse: collapse; width: 100%; }
td, th { text-align: left; padding: 1px 6px 1px 0; vertical-align: top; }
th { color: #999; font-weight: normal; }
.ok { color: #7ee787; } .warn { color: #f2cc60; } .bad { color: #ff7b72; } .dim { color: #888; }
button { font: inherit; background: #3a3d48; color: inherit; border: 1px solid #555; border-radius: 3px; cursor: pointer; }
ol { margin: 0; padding-left: 0; list-style: none; }
.charts { display: flex; gap: 16px; flex-wrap: wrap; }
figure.spark { margin: 0; } figure.spark svg { display: block; color: #9ecbff; }
`;

const clock = (at: number): string => new Date(at).toLocaleTimeString([], { hour12: false });
// Offline a query waits for the network ('paused'), it is not fetching: say so, not "fetching".
const fetchCell = (fetchStatus: string): string =>
  fetchStatus === 'paused' ? '<span class="warn" title="waiting for the network">paused</span>' : fetchStatus;
const stateClass = (state: string): string => (state === 'open' ? 'ok' : state === 'closed' || state === 'refused' ? 'bad' : 'warn');

/** Mounts the panel into `host` (an empty element; the panel attaches a shadow root to it). */
export function mountDevtools(host: HTMLElement, options: DevtoolsOptions): DevtoolsHandle {
  const shadow = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  shadow.innerHTML = `<style>${STYLE}</style><details part="panel"${options.collapsed ? '' : ' open'}>
    <summary data-testid="devtools-summary"></summary><div class="body"></div></details>`;
  const summary = shadow.querySelector('summary') as HTMLElement;
  const body = shadow.querySelector('.body') as HTMLElement;
  let deadLetters: DeadLetter[] = [];
  let frame = 0;

  const loadDeadLetters = (): void => {
    options.outbox
      ?.deadLetters()
      .then((list) => {
        deadLetters = list;
        schedule();
      })
      .catch(() => undefined);
  };
  const schedule = (): void => {
    if (frame === 0) frame = requestAnimationFrame(render);
  };
  const model = new DevtoolsModel(options, schedule);
  const events$ = options.client?.events$;
  const charts = new ChartsModel(events$, options.outbox?.pending$.get() ?? 0, Object.values(options.transports ?? {}), schedule);
  const liveDocs = new LiveDocsModel(options.docs ?? [], events$, options.outbox, schedule);
  const subscription = options.outbox?.deadLetter$.subscribe(loadDeadLetters);

  function render(): void {
    frame = 0;
    const now = Date.now();
    const outbox = options.outbox;
    const pending = outbox?.pending$.get() ?? 0;
    const states = model.connections.map((c) => c.state);
    summary.textContent = `rxsync devtools · outbox ${pending} · ${states.join(', ') || 'no connections'}`;

    const queries = model.queries();
    const queryRows = queries
      .map(
        (q) => `<tr><td>${escapeHtml(q.key)}</td><td>${q.status}</td><td>${fetchCell(q.fetchStatus)}</td>
        <td>${q.invalidated ? '<span class="warn">invalidated</span>' : ago(q.updatedAt, now)}</td><td>${q.observers}</td></tr>`,
      )
      .join('');
    const ops = outbox?.pendingOps() ?? [];
    const opRows = ops
      .slice(0, 20)
      .map(
        (op) => `<tr><td>${escapeHtml(op.name)}</td><td>${escapeHtml(op.scope)}</td><td>${op.attempts}</td>
        <td>${ago(op.createdAt, now)}</td></tr>`,
      )
      .join('');
    const deadRows = deadLetters
      .map(
        (d) => `<tr><td>${escapeHtml(d.op.name)}</td><td class="bad">${escapeHtml(d.error)}</td>
        <td><button data-action="retry" data-id="${escapeHtml(d.op.id)}">retry</button>
        <button data-action="discard" data-id="${escapeHtml(d.op.id)}">discard</button></td></tr>`,
      )
      .join('');
    const connectionRows = model.connections
      .map(
        (c) => `<tr data-testid="devtools-connection"><td>${escapeHtml(c.name)}</td><td>${escapeHtml(c.kind)}</td>
        <td class="${stateClass(c.state)}">${c.state}${c.attempt ? ` (attempt ${c.attempt})` : ''}</td>
        <td>${ago(c.since, now)}</td><td class="dim">${escapeHtml(c.error)}</td></tr>`,
      )
      .join('');
    const eventRows = model.events
      .slice(0, 30)
      .map((e) => `<li><span class="dim">${clock(e.at)}</span> <b>${e.source}</b> ${escapeHtml(e.text)}</li>`)
      .join('');

    body.innerHTML = `
      ${chartsSection(charts)}
      ${conflictsSection(liveDocs, now)}
      ${docsSection(liveDocs, now)}
      <section><h3>Queries (${queries.length})</h3>
        ${queries.length ? `<table><tr><th>key</th><th>status</th><th>fetch</th><th>updated</th><th>observers</th></tr>${queryRows}</table>` : '<span class="dim">no cached queries</span>'}
      </section>
      <section><h3>Outbox: <span data-testid="devtools-outbox-count">${pending}</span> pending, ${deadLetters.length} dead</h3>
        ${ops.length ? `<table><tr><th>op</th><th>scope</th><th>attempts</th><th>queued</th></tr>${opRows}</table>` : ''}
        ${deadLetters.length ? `<table data-testid="devtools-dead-letters"><tr><th>dead letter</th><th>error</th><th></th></tr>${deadRows}</table>` : ''}
        <div class="dim">last ack: ${model.lastAckMs === undefined ? '—' : `${model.lastAckMs} ms after it was queued (a round trip when sent online)`}</div>
      </section>
      <section><h3>Connections</h3>
        ${connectionRows ? `<table><tr><th>name</th><th>kind</th><th>state</th><th>since</th><th>last error</th></tr>${connectionRows}</table>` : '<span class="dim">none</span>'}
      </section>
      <section><h3>Events</h3><ol data-testid="devtools-events">${eventRows}</ol></section>`;
  }

  body.addEventListener('click', (event) => {
    const button = (event.target as HTMLElement).closest('button');
    const id = button?.dataset.id;
    if (!button || !id || !options.outbox) return;
    const action = button.dataset.action === 'retry' ? options.outbox.retryDeadLetter(id) : options.outbox.discardDeadLetter(id);
    action.catch((error: unknown) => console.warn('devtools:', messageOf(error))).finally(loadDeadLetters);
  });

  loadDeadLetters();
  render();
  // A timer as well as events: ages ("3 s ago") move on even when nothing happens.
  const timer = setInterval(() => {
    charts.sample();
    render();
    loadDeadLetters();
  }, options.refreshMs ?? 1000);

  return {
    refresh: render,
    destroy() {
      clearInterval(timer);
      cancelAnimationFrame(frame);
      subscription?.unsubscribe();
      model.dispose();
      charts.dispose();
      liveDocs.dispose();
      shadow.innerHTML = '';
    },
  };
}

/**
 * Registers `<rxsync-devtools>`: set its `sources` property (`{ client, outbox, transports }`)
 * and it mounts the panel; add the `collapsed` attribute to start folded.
 */
export function defineDevtoolsElement(name = 'rxsync-devtools'): void {
  if (customElements.get(name)) return;
  customElements.define(
    name,
    class extends HTMLElement {
      private handle: DevtoolsHandle | undefined;
      set sources(sources: DevtoolsSources) {
        this.handle?.destroy();
        this.handle = mountDevtools(this, { ...sources, collapsed: this.hasAttribute('collapsed') });
      }
      disconnectedCallback(): void {
        this.handle?.destroy();
        this.handle = undefined;
      }
    },
  );
}
