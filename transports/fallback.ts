import { BehaviorSubject, distinctUntilChanged, Observable, share, Subscription } from 'rxjs';
import { RxSyncError } from '../lib/errors.js';
import type { SeqCursor, Transport, TransportStatus } from './transport.js';
import { checkOptions } from '../lib/options/checkOptions.js';
import { fallbackOptionSpec } from './optionSpecs.js';

/** Options of {@link fallback}. */
export interface FallbackOptions {
  /** While a lower transport is in use, try the better ones again after this many ms. Default 60000. */
  retryPrimaryAfter?: number;
  /** Consecutive failed connection attempts before a transport is given up for the next one. Default 3. */
  maxFailures?: number;
}

/** What {@link fallback} returns: a transport that can also be pinned to one of its candidates. */
export interface FallbackTransport<In = unknown, Out = unknown> extends Transport<In, Out> {
  /**
   * Pins the candidate whose `kind` is `via` (`'websocket'`, `'sse'`, `'polling'`): the traffic
   * moves to it now (cursor and unsent messages with it) and stays there, whatever fails; it
   * keeps reconnecting with its own backoff. `undefined` returns to automatic fallback (the better
   * candidates are probed at once). An unknown `via` throws `E_OPTION_INVALID`.
   */
  prefer(via: string | undefined): void;
}

/**
 * One transport made of several, best first: `fallback([webSocket(…), sse(…), polling(…)])`.
 * It uses the first that opens and moves down the list when the one in use fails `maxFailures`
 * times in a row. While on a lower one it probes the better ones every `retryPrimaryAfter` ms and
 * moves back up as soon as one opens. All candidates share one resume cursor, so the hand-over
 * neither skips nor repeats a sequenced message, and unsent messages move to the new transport.
 * The app sees one `messages$` that does not complete or error while this happens.
 * `prefer(via)` pins one candidate (a user's choice, a test), `prefer(undefined)` unpins.
 *
 * @example
 * ```ts
 * const live = fallback([
 *   webSocket('wss://example.org/ws', { reconnect: { initialDelay: 500 } }),
 *   sse('https://example.org/sse', { postUrl: 'https://example.org/send' }),
 *   polling('https://example.org/poll', { interval: 5000 }),
 * ], { retryPrimaryAfter: 60_000 });
 * ```
 */
export function fallback<In, Out>(
  candidates: ReadonlyArray<Transport<In, Out>>,
  options: FallbackOptions = {},
): FallbackTransport<In, Out> {
  checkOptions('fallback', options, fallbackOptionSpec);
  const first = candidates[0];
  if (first === undefined) throw new RxSyncError('E_OPTION_INVALID', 'fallback needs at least one transport');
  const retryPrimaryAfter = options.retryPrimaryAfter ?? 60_000;
  const maxFailures = options.maxFailures ?? 3;
  let cursor: SeqCursor = { lastSeq: 0 };
  const shareCursor = (shared: SeqCursor): void => {
    cursor = shared;
    for (const candidate of candidates) candidate.cursor = shared;
  };
  shareCursor(cursor);

  let active = 0;
  /** The candidate `prefer` pinned, if any: no probing, no moving down. */
  let pinned: number | undefined;
  /** Set while connected: applies a new `prefer` to the running candidates. */
  let repin: (() => void) | undefined;
  let connections = 0;
  let lastOpen = '';
  const status = new BehaviorSubject<TransportStatus>({ state: 'closed', connection: 0, via: first.kind });
  const candidate = (index: number): Transport<In, Out> => candidates[index] as Transport<In, Out>;

  const messages$ = new Observable<In>((subscriber) => {
    const running = new Map<number, Subscription>();
    let probe: number | undefined;
    let probeTimer: ReturnType<typeof setTimeout> | undefined;
    let restartTimer: ReturnType<typeof setTimeout> | undefined;

    const stop = (index: number): void => {
      running.get(index)?.unsubscribe();
      running.delete(index);
    };

    const start = (index: number): void => {
      if (running.has(index)) return;
      const subscription = new Subscription();
      running.set(index, subscription);
      // Status first, so unsubscribing stops status before the candidate reports its own close.
      subscription.add(candidate(index).status$.subscribe((next) => onStatus(index, next)));
      subscription.add(
        candidate(index).messages$.subscribe({
          next: (message) => subscriber.next(message),
          error: (error: unknown) => onFailure(index, error, true),
          complete: () => onFailure(index, new RxSyncError('E_CONNECTION_LOST', `${candidate(index).kind} ended`), true),
        }),
      );
    };

    const use = (index: number): void => {
      const previous = active;
      active = index;
      if (previous !== index) {
        for (const message of candidate(previous).takePending()) candidate(index).send(message);
        stop(previous);
      }
      start(index);
      scheduleProbe();
    };

    const scheduleProbe = (): void => {
      if (pinned !== undefined || active === 0 || probe !== undefined || probeTimer !== undefined) return;
      probeTimer = setTimeout(() => {
        probeTimer = undefined;
        startProbe(0);
      }, retryPrimaryAfter);
    };

    const startProbe = (index: number): void => {
      if (index >= active) {
        probe = undefined;
        scheduleProbe();
        return;
      }
      probe = index;
      start(index);
    };

    /** `ended`: the candidate's stream errored or completed, rather than still retrying by itself. */
    const onFailure = (index: number, error: unknown, ended: boolean): void => {
      if (index === probe) {
        stop(index);
        startProbe(index + 1);
      } else if (index === active) {
        if (index + 1 < candidates.length && pinned === undefined) {
          use(index + 1);
        } else if (ended) {
          // Even the last one gave up: report it and start over from the best one later, never
          // ending the app's stream.
          status.next({ ...status.getValue(), state: 'reconnecting', error });
          stop(index);
          clearTimeout(restartTimer);
          restartTimer = setTimeout(() => use(pinned ?? 0), retryPrimaryAfter);
        }
        // Otherwise the last candidate keeps retrying with its own backoff.
      }
    };

    const onStatus = (index: number, next: TransportStatus): void => {
      const failedTooOften = next.state === 'reconnecting' && (next.attempt ?? 0) >= maxFailures;
      if (index === probe) {
        if (next.state !== 'open') {
          if (failedTooOften) onFailure(index, next.error, false);
          return;
        }
        // The better one is open: it becomes the active one and its status the fallback's.
        probe = undefined;
        use(index);
      }
      if (index !== active || next.state === 'closed') return;
      if (next.state === 'open') {
        const key = `${index}:${next.connection}`;
        if (key !== lastOpen) {
          lastOpen = key;
          connections++;
        }
      }
      status.next({ ...next, via: candidate(index).kind, connection: connections });
      if (failedTooOften) onFailure(index, next.error, false);
    };

    repin = () => {
      clearTimeout(probeTimer);
      clearTimeout(restartTimer);
      probeTimer = undefined;
      if (probe !== undefined) stop(probe); // restarted if pinned, so its status is reported afresh
      probe = undefined;
      if (pinned !== undefined) use(pinned);
      else startProbe(0); // automatic again: move back up as soon as a better one opens
    };
    // Messages buffered while disconnected sit in the last active candidate: use() moves them.
    status.next({ state: 'connecting', connection: connections, via: candidate(pinned ?? 0).kind });
    use(pinned ?? 0);
    return () => {
      repin = undefined;
      clearTimeout(probeTimer);
      clearTimeout(restartTimer);
      for (const index of [...running.keys()]) stop(index);
      probe = undefined;
      status.next({ ...status.getValue(), state: 'closed' });
    };
  });

  return {
    kind: 'fallback',
    messages$: messages$.pipe(share()),
    status$: status.pipe(distinctUntilChanged()),
    get cursor() {
      return cursor;
    },
    set cursor(shared: SeqCursor) {
      shareCursor(shared);
    },
    send: (message) => candidate(active).send(message),
    takePending: () => candidate(active).takePending(),
    retry: () => candidate(active).retry(),
    prefer(via) {
      const index = via === undefined ? undefined : candidates.findIndex((c) => c.kind === via);
      if (index === -1) {
        const kinds = candidates.map((c) => c.kind).join(', ');
        throw new RxSyncError('E_OPTION_INVALID', `fallback.prefer: no candidate is "${String(via)}" (candidates: ${kinds})`);
      }
      pinned = index;
      if (repin !== undefined) repin();
      else if (index !== undefined && index !== active) {
        // Not connected: the next connection starts on it, with whatever was buffered so far.
        for (const message of candidate(active).takePending()) candidate(index).send(message);
        active = index;
      }
    },
  };
}
