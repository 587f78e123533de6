// The numbers behind the panel's live charts, read from `client.events$` and the transports:
// how long each fetch took (a cache entry going from `fetching` to done), the outbox depth
// (`outbox-pending` events, sampled every refresh so the chart moves with time) and the
// transports' heartbeat round-trip time (`status.rtt`).
import type { Observable, Subscription } from 'rxjs';
import { hashQueryKey, type ClientEvent, type QueryKey } from 'rxsync';
import type { ChartSeries } from './sections';
import { Series } from './sparkline';

/** A transport's status as far as the charts care. */
export interface RttSource {
  readonly status$: Observable<{ readonly rtt?: number }>;
}

/** Live documents are the cache entries `['live', room, doc]`. */
const isLiveKey = (key: QueryKey): boolean => key.length === 3 && key[0] === 'live';

export class ChartsModel implements ChartSeries {
  readonly fetchLatency = new Series();
  readonly outboxDepth = new Series();
  readonly rtt = new Series();
  private depth: number;
  private readonly fetching = new Map<string, number>();
  private readonly subscriptions: Subscription[] = [];

  constructor(
    events$: Observable<ClientEvent> | undefined,
    initialDepth: number,
    transports: readonly RttSource[],
    private readonly onChange: () => void,
  ) {
    this.depth = initialDepth;
    if (events$) this.subscriptions.push(events$.subscribe((event) => this.onEvent(event)));
    for (const transport of transports) {
      let last: number | undefined;
      this.subscriptions.push(
        transport.status$.subscribe(({ rtt }) => {
          if (rtt === undefined || rtt === last) return;
          last = rtt;
          this.rtt.push(rtt);
          this.onChange();
        }),
      );
    }
  }

  /** Adds the current outbox depth as the next point (called once per refresh). */
  sample(): void {
    this.outboxDepth.push(this.depth);
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.unsubscribe());
  }

  private onEvent(event: ClientEvent): void {
    switch (event.type) {
      case 'outbox-pending':
        this.depth = event.pending;
        return;
      case 'added':
      case 'updated':
      case 'removed': {
        if (isLiveKey(event.key)) return; // a live document's entry joins a room: not a fetch
        const key = hashQueryKey(event.key).hash;
        const started = this.fetching.get(key);
        const running = event.type !== 'removed' && event.state.fetchStatus === 'fetching';
        if (running && started === undefined) this.fetching.set(key, performance.now());
        if (!running && started !== undefined) {
          this.fetching.delete(key);
          // A fetch that ended in data or an error took this long; one dropped with its entry did not finish.
          if (event.type !== 'removed') {
            this.fetchLatency.push(performance.now() - started);
            this.onChange();
          }
        }
        return;
      }
      default:
        return;
    }
  }
}
