import { RxSyncError } from '../lib/errors.js';
import { realEventLoop, type RealEventLoop } from './realEventLoop.js';

/** Options of {@link createVirtualClock}. */
export interface VirtualClockOptions {
  /** `Date.now()` when the clock starts. Default 2030-01-01T00:00:00Z, the same in every run. */
  readonly start?: number;
}

/** Options of {@link VirtualClock.flush}. */
export interface FlushOptions {
  /** Most virtual ms to run before giving up. Default 3 600 000 (an hour). */
  readonly within?: number;
  /** Most timers to run before giving up. Default 10 000. */
  readonly maxTimers?: number;
}

/**
 * Time that moves only when the test says so. While installed, `setTimeout`, `setInterval`, their
 * `clear…` twins, `Date.now()` and `performance.now()` run on it, so everything built on them
 * (RxJS's schedulers, retries and backoff, `staleTime`, `gcTime`, reconnects, the hub's timers)
 * waits in virtual time: thirty seconds of backoff take a few real milliseconds.
 */
export interface VirtualClock {
  /** The virtual `Date.now()`. */
  now(): number;
  /**
   * Moves time forward by `ms`, running every timer that falls due on the way, in order, and
   * letting promises and other real work settle before and after each one.
   */
  advance(ms: number): Promise<void>;
  /**
   * Runs until quiet: moves time to each pending timer in turn (every `setTimeout`, and every
   * `setInterval` that has not fired yet; intervals that already fire periodically, such as
   * heartbeats, run on the way but do not keep it busy), until none is left. Throws
   * `E_TEST_NOT_QUIET` if that takes more than `within` virtual ms or `maxTimers` timers,
   * e.g. a retry without end.
   */
  flush(options?: FlushOptions): Promise<void>;
  /** How many timers are pending in the sense of {@link flush}. */
  pending(): number;
  /** Puts the real timers and clocks back. Further calls do nothing. */
  dispose(): void;
}

/** Jan 1st 2030, UTC: a fixed start, so test runs see the same times. */
const DEFAULT_START = 1_893_456_000_000;

interface Timer {
  readonly id: number;
  due: number;
  readonly every: number | undefined;
  fired: boolean;
  readonly run: () => void;
}

/** What our `setTimeout` returns: a number-like handle with Node's `unref`/`ref`, accepted by `clearTimeout`. */
interface Handle {
  readonly id: number;
  unref(): Handle;
  ref(): Handle;
  hasRef(): boolean;
  [Symbol.toPrimitive](): number;
}

type TimerFunction = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => unknown;

let installed: VirtualClock | undefined;

/** The virtual clock installed now, if any (test clients made without a `clock` share it). */
export function installedClock(): VirtualClock | undefined {
  return installed;
}

/**
 * Installs a {@link VirtualClock} in place of the global timers and clocks; `dispose()` restores
 * them. One clock at a time: a second one before the first is disposed throws `E_TEST_CLOCK_INSTALLED`.
 * Works in any test runner and in browsers; do not combine it with the runner's own fake timers.
 * It takes over every timer of the realm, a test harness's own too: in a browser page, await a
 * promise the page exposes rather than polling from the harness with `setTimeout` (e.g.
 * Playwright's `waitForFunction` with a polling interval), or `flush()` will run that poller.
 *
 * @example
 * ```ts
 * const clock = createVirtualClock();
 * setTimeout(() => console.log('a minute later'), 60_000);
 * await clock.advance(60_000); // prints at once
 * clock.dispose();
 * ```
 */
export function createVirtualClock(options: VirtualClockOptions = {}): VirtualClock {
  if (installed !== undefined) {
    throw new RxSyncError('E_TEST_CLOCK_INSTALLED', 'A virtual clock is installed already: dispose() it before creating another');
  }
  const start = options.start ?? DEFAULT_START;
  let current = start;
  let nextId = 1;
  const timers = new Map<number, Timer>();
  const host = globalThis as unknown as Record<string, unknown>;
  const loop: RealEventLoop = realEventLoop();
  const saved = {
    setTimeout: host['setTimeout'] as TimerFunction,
    clearTimeout: host['clearTimeout'] as (handle: unknown) => void,
    setInterval: host['setInterval'] as TimerFunction,
    clearInterval: host['clearInterval'] as (handle: unknown) => void,
    dateNow: Date.now,
    performanceNow: typeof performance === 'undefined' ? undefined : Object.getOwnPropertyDescriptor(performance, 'now'),
  };

  const handleOf = (id: number): Handle => {
    const handle: Handle = {
      id,
      unref: () => handle,
      ref: () => handle,
      hasRef: () => true,
      [Symbol.toPrimitive]: () => id,
    };
    return handle;
  };
  const schedule = (callback: unknown, ms: unknown, args: unknown[], repeat: boolean): Handle => {
    if (typeof callback !== 'function') throw new TypeError('The virtual clock runs functions only, not strings');
    const delay = Math.max(0, Number(ms) || 0);
    const id = nextId++;
    const run = (): void => void (callback as (...a: unknown[]) => unknown)(...args);
    timers.set(id, { id, due: current + delay, every: repeat ? Math.max(1, delay) : undefined, fired: false, run });
    return handleOf(id);
  };
  const clearer = (real: (handle: unknown) => void) => (handle: unknown) => {
    const id = typeof handle === 'object' && handle !== null && 'id' in handle ? (handle as Handle).id : handle;
    if (typeof id === 'number' && timers.delete(id)) return;
    // A timer made before the clock was installed is a real one.
    if (handle !== undefined && handle !== null) real(handle);
  };

  host['setTimeout'] = (callback: unknown, ms?: unknown, ...args: unknown[]) => schedule(callback, ms, args, false);
  host['setInterval'] = (callback: unknown, ms?: unknown, ...args: unknown[]) => schedule(callback, ms, args, true);
  host['clearTimeout'] = clearer(saved.clearTimeout);
  host['clearInterval'] = clearer(saved.clearInterval);
  Date.now = () => current;
  if (typeof performance !== 'undefined') {
    Object.defineProperty(performance, 'now', { configurable: true, writable: true, value: () => current - start });
  }

  /** The timer due first (ties: created first) among those that `include`, up to `until`. */
  const nextTimer = (until: number, include: (timer: Timer) => boolean = () => true): Timer | undefined => {
    let next: Timer | undefined;
    for (const timer of timers.values()) {
      if (timer.due > until || !include(timer)) continue;
      if (next === undefined || timer.due < next.due || (timer.due === next.due && timer.id < next.id)) next = timer;
    }
    return next;
  };
  const isPending = (timer: Timer): boolean => timer.every === undefined || !timer.fired;

  let ran = 0;
  const runUntil = async (target: number, maxTimers: number): Promise<void> => {
    await loop.settle();
    for (;;) {
      const timer = nextTimer(target);
      if (timer === undefined) break;
      if (++ran > maxTimers) throw notQuiet(`ran ${maxTimers} timers`);
      current = Math.max(current, timer.due);
      if (timer.every === undefined) timers.delete(timer.id);
      else timer.due += timer.every;
      timer.fired = true;
      timer.run();
      await loop.settle();
    }
    current = Math.max(current, target);
    await loop.settle();
  };

  const notQuiet = (why: string): RxSyncError => {
    const waiting = [...timers.values()].filter(isPending).map((t) => ({ in: t.due - current, every: t.every }));
    // Name the first few, so a test log says which kind of timer kept it busy.
    const named = waiting
      .slice(0, 3)
      .map((t) => `in ${t.in} ms${t.every === undefined ? '' : ` every ${t.every} ms`}`)
      .join(', ');
    return new RxSyncError(
      'E_TEST_NOT_QUIET',
      `Never got quiet: ${why}; ${waiting.length} timer(s) still pending${named === '' ? '' : ` (${named})`}`,
      {
        details: { pending: waiting.slice(0, 20), now: current },
      },
    );
  };

  const clock: VirtualClock = {
    now: () => current,
    async advance(ms) {
      if (!(ms >= 0)) throw new RxSyncError('E_OPTION_INVALID', `advance(ms) takes a number of ms ≥ 0, got ${String(ms)}`);
      ran = 0;
      await runUntil(current + ms, Infinity);
    },
    async flush({ within = 3_600_000, maxTimers = 10_000 } = {}) {
      const deadline = current + within;
      ran = 0;
      await loop.settle();
      for (;;) {
        const next = nextTimer(Infinity, isPending);
        if (next === undefined) return;
        if (next.due > deadline) throw notQuiet(`a timer is still pending after ${within} virtual ms`);
        await runUntil(next.due, maxTimers);
      }
    },
    pending: () => [...timers.values()].filter(isPending).length,
    dispose() {
      if (installed !== clock) return;
      installed = undefined;
      host['setTimeout'] = saved.setTimeout;
      host['clearTimeout'] = saved.clearTimeout;
      host['setInterval'] = saved.setInterval;
      host['clearInterval'] = saved.clearInterval;
      Date.now = saved.dateNow;
      if (typeof performance !== 'undefined') {
        if (saved.performanceNow === undefined) delete (performance as { now?: unknown }).now;
        else Object.defineProperty(performance, 'now', saved.performanceNow);
      }
      timers.clear();
      loop.close();
    },
  };
  installed = clock;
  return clock;
}
