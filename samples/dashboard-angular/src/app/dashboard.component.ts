import { AsyncPipe, DecimalPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, signal, type OnDestroy } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { LiveRoom, TRANSPORT_LABELS, type TransportKey } from './live-room';

/** The metrics the load simulator writes, with the range each one moves in. */
const SIMULATED: ReadonlyArray<{ name: string; min: number; max: number }> = [
  { name: 'cpu', min: 5, max: 95 },
  { name: 'memory', min: 30, max: 90 },
  { name: 'requests', min: 50, max: 1200 },
  { name: 'latency', min: 8, max: 240 },
];

function isDashboard(state: unknown): boolean {
  return typeof state === 'object' && state !== null && (state as { view?: unknown }).view === 'dashboard';
}

@Component({
  selector: 'app-dashboard',
  imports: [AsyncPipe, DecimalPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './dashboard.component.html',
})
export class DashboardComponent implements OnDestroy {
  protected readonly live = inject(LiveRoom);
  protected readonly labels = TRANSPORT_LABELS;
  protected readonly transportKeys = Object.keys(TRANSPORT_LABELS) as TransportKey[];

  // Signals through toSignal: rxsync signals and transport status emit synchronously on subscribe.
  protected readonly metrics = toSignal(this.live.metrics.value$, { requireSync: true });
  protected readonly roomStatus = toSignal(this.live.metrics.status$, { requireSync: true });
  protected readonly transportStatus = toSignal(this.live.transport.status$, { requireSync: true });
  protected readonly active = toSignal(this.live.transport.active$, { requireSync: true });
  /** Why the room is not joined (a refused token, the last failed attempt); cleared after a good reconnect. */
  protected readonly statusError = computed(() => {
    const error = this.roomStatus().error;
    return error === undefined ? '' : error instanceof Error ? error.message : String(error);
  });
  private readonly pendingMetrics = toSignal(this.live.metrics.pending$, { requireSync: true });
  private readonly pendingItems = toSignal(this.live.items.pending$, { requireSync: true });
  /** Edits of this page the hub has not acknowledged yet (queued in the outbox). */
  protected readonly pending = computed(() => this.pendingMetrics() + this.pendingItems());
  /** Everyone else in the room (presence): other dashboards announce themselves. */
  private readonly presence = toSignal(this.live.metrics.presence$, { requireSync: true });
  protected readonly viewers = computed(() => this.presence().filter((peer) => isDashboard(peer.state)));
  protected readonly metricNames = computed(() => Object.keys(this.metrics()).sort());

  // Observables through the async pipe in the template.
  protected readonly items$ = this.live.items.value$;
  protected readonly log$ = this.live.log$;

  protected readonly simulating = signal(false);
  private simulator: ReturnType<typeof setInterval> | undefined;

  protected numberOf(name: string): number | undefined {
    const value = this.metrics()[name];
    return typeof value === 'number' ? value : undefined;
  }

  protected onTransport(event: Event): void {
    this.live.transport.use((event.target as HTMLSelectElement).value as TransportKey);
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
      void this.live.metrics.update((draft) => {
        for (const { name, min, max } of SIMULATED) draft[name] = Math.round(min + Math.random() * (max - min));
      });
    };
    tick();
    this.simulator = setInterval(tick, 1000);
  }

  protected addItem(input: HTMLInputElement): void {
    const name = input.value.trim();
    if (name === '') return;
    void this.live.items.add(name);
    input.value = '';
  }

  protected removeItem(name: string): void {
    void this.live.items.remove(name);
  }

  ngOnDestroy(): void {
    clearInterval(this.simulator);
  }
}
