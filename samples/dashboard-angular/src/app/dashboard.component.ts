import { DecimalPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, signal, untracked } from '@angular/core';
import { injectLive, injectMutation, injectQuery } from 'rxsync/angular';
import { loadAlerts, patchAlert, postAlert, type Alert } from './alerts';
import { dashboardHub, roomFromUrl, VIA_LABELS, type Via } from './hub';
import { fill, METRICS, pushSample, sparkline, specOf } from './metrics';

const ALERTS_KEY = ['api', 'alerts'] as const;

function isDashboard(state: unknown): boolean {
  return typeof state === 'object' && state !== null && (state as { view?: unknown }).view === 'dashboard';
}

@Component({
  selector: 'app-dashboard',
  imports: [DecimalPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './dashboard.component.html',
})
export class DashboardComponent {
  protected readonly room = roomFromUrl();
  protected readonly hub = dashboardHub(this.room);
  protected readonly labels = VIA_LABELS;
  protected readonly vias = Object.keys(VIA_LABELS) as Via[];
  protected readonly pinned = signal<Via | 'auto'>('auto');

  // Live documents of the room, as signals; closed with the component.
  protected readonly metrics = injectLive(() => ({ room: this.room, doc: 'metrics', type: 'lww-map', transport: this.hub.transport }));
  protected readonly services = injectLive(() => ({
    room: this.room,
    doc: 'services',
    type: 'or-set',
    transport: this.hub.transport,
  }));

  // A plain query of the samples' JSON API, refetched when the tab is shown again or the network is back.
  protected readonly alerts = injectQuery(() => ({
    key: ALERTS_KEY,
    fetch: ({ signal }) => loadAlerts(signal),
    refetchOnFocus: true,
    refetchOnReconnect: true,
  }));
  // Shown at once, durable in the outbox, sent when online; the Idempotency-Key makes a resend harmless.
  protected readonly addAlert = injectMutation(() => ({
    name: 'add-alert',
    send: (text: string, { idempotencyKey, signal }) => postAlert(text, idempotencyKey, signal),
    optimistic: {
      key: ALERTS_KEY,
      update: (alerts: Alert[], text: string) => void alerts.push({ id: `queued-${alerts.length}`, text, done: false, at: Date.now() }),
    },
    invalidates: [ALERTS_KEY],
  }));
  protected readonly toggleAlert = injectMutation(() => ({
    name: 'toggle-alert',
    send: ({ id, done }: { id: string; done: boolean }, { signal }) => patchAlert(id, done, signal),
    optimistic: {
      key: ALERTS_KEY,
      update: (alerts: Alert[], change: { id: string; done: boolean }) => {
        const alert = alerts.find((a) => a.id === change.id);
        if (alert !== undefined) (alert as { done: boolean }).done = change.done;
      },
    },
    invalidates: [ALERTS_KEY],
  }));

  /** Edits of this page the hub has not acknowledged yet (queued in the outbox). */
  protected readonly pending = computed(() => this.metrics.pending() + this.services.pending());
  /** Everyone else in the room (presence): other dashboards announce themselves. */
  protected readonly viewers = computed(() => this.metrics.presence().filter((peer) => isDashboard(peer.state)));
  /** Why the room is not joined (a refused token, the last failed attempt); cleared after a good reconnect. */
  protected readonly statusError = computed(() => {
    const error = this.metrics.status().error;
    return error === undefined ? '' : error instanceof Error ? error.message : String(error);
  });

  /** The last samples of each numeric metric, for its chart. */
  private readonly history = signal<Readonly<Record<string, readonly number[]>>>({});
  /** Known metrics first, in their order, then any other the room holds. */
  protected readonly cards = computed(() => {
    const values = this.metrics.value();
    const history = this.history();
    const known = METRICS.map((m) => m.name).filter((name) => name in values);
    const others = Object.keys(values)
      .filter((name) => !known.includes(name))
      .sort();
    return [...known, ...others].map((name) => {
      const value = values[name];
      const samples = history[name] ?? [];
      const spec = specOf(name, samples);
      const numeric = typeof value === 'number' ? value : undefined;
      return {
        name,
        spec,
        value,
        numeric,
        fill: numeric === undefined ? 0 : fill(numeric, spec),
        warn: numeric !== undefined && numeric >= spec.warn,
        points: samples.length,
        path: sparkline(samples, spec, 160, 36),
      };
    });
  });

  protected readonly simulating = signal(false);
  private simulator: ReturnType<typeof setInterval> | undefined;

  constructor() {
    // Announced again after every (re)join, whichever transport carries it.
    this.metrics.doc().setPresence({ view: 'dashboard' });
    let previous: Readonly<Record<string, unknown>> = {};
    effect(() => {
      const values = this.metrics.value();
      untracked(() => {
        const changed = Object.entries(values).filter(([name, value]) => typeof value === 'number' && previous[name] !== value);
        previous = values;
        if (changed.length === 0) return;
        this.history.update((history) => {
          const next = { ...history };
          for (const [name, value] of changed) next[name] = pushSample(next[name], value as number);
          return next;
        });
      });
    });
    inject(DestroyRef).onDestroy(() => clearInterval(this.simulator));
  }

  protected onTransport(event: Event): void {
    const value = (event.target as HTMLSelectElement).value as Via | 'auto';
    this.pinned.set(value);
    this.hub.prefer(value === 'auto' ? undefined : value);
  }

  protected toggleLoad(): void {
    if (this.simulator !== undefined) {
      clearInterval(this.simulator);
      this.simulator = undefined;
      this.simulating.set(false);
      return;
    }
    this.simulating.set(true);
    const tick = (): void => {
      void this.metrics.doc().update((draft) => {
        for (const { name } of METRICS) draft[name] = simulated(name);
      });
    };
    tick();
    this.simulator = setInterval(tick, 1000);
  }

  protected addService(input: HTMLInputElement): void {
    const name = input.value.trim();
    if (name === '') return;
    void this.services.doc().add(name);
    input.value = '';
  }

  protected removeService(name: string): void {
    void this.services.doc().remove(name);
  }

  protected submitAlert(input: HTMLInputElement): void {
    const text = input.value.trim();
    if (text === '') return;
    void this.addAlert.mutate(text);
    input.value = '';
  }

  protected toggle(alert: Alert): void {
    void this.toggleAlert.mutate({ id: alert.id, done: !alert.done });
  }
}

/** A plausible value for a simulated metric: most of the time inside its range, now and then above its warning line. */
function simulated(name: string): number {
  const spec = specOf(name, []);
  const base = spec.max * (0.2 + Math.random() * 0.6);
  const spike = Math.random() < 0.1 ? spec.max * 0.3 : 0;
  return Math.round(base + spike);
}
