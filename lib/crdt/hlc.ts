import { RxSyncError } from '../errors.js';
import { MAX_STAMP_COUNTER, MAX_STAMP_TIME, decodeStamp, encodeStamp, isNodeId, type Stamp } from './stamp.js';

/** Options of {@link createHlc}. */
export interface HlcOptions {
  /** This replica's id (1–64 characters of `A-Z a-z 0-9 _ . : -`); breaks ties between equal times. */
  nodeId: string;
  /** The wall clock in ms. Injected so tests can run it backwards; defaults to `Date.now`. */
  now?: () => number;
  /** How far in the future (ms, by our wall clock) a remote stamp may be. Default 5 minutes. */
  maxDrift?: number;
  /** The last stamp this replica issued before a restart, so stamps stay monotonic across reloads. */
  last?: Stamp;
}

/** A hybrid logical clock: see {@link createHlc}. */
export interface Hlc {
  /** This replica's node id. */
  readonly nodeId: string;
  /** A new stamp for a local event, greater than every stamp issued or received before. */
  tick(): Stamp;
  /**
   * Moves the clock past a remote stamp and returns a new local stamp greater than both.
   * Throws `E_HLC_INVALID` for a malformed stamp and `E_HLC_DRIFT` for one more than `maxDrift`
   * ahead of our wall clock; in both cases the clock is unchanged.
   */
  receive(remote: Stamp): Stamp;
  /** The latest stamp issued or received (`undefined` before the first); does not advance the clock. */
  peek(): Stamp | undefined;
}

/** How far ahead of the wall clock (ms) a remote stamp may be by default: the hub refuses ops beyond it too. */
export const DEFAULT_MAX_DRIFT = 5 * 60_000;

/**
 * Creates a hybrid logical clock. Stamps follow the wall clock when it moves forward, never go
 * backwards when it jumps back, and are totally ordered by (time, counter, nodeId). When more than
 * {@link MAX_STAMP_COUNTER} events fall in one logical millisecond, logical time moves on by 1 ms.
 *
 * @example
 * ```ts
 * const clock = createHlc({ nodeId: 'laptop', now: Date.now });
 * const stamp = clock.tick();          // stamp a local write
 * clock.receive(remoteStamp);          // before merging remote data: later local writes win
 * ```
 */
export function createHlc(options: HlcOptions): Hlc {
  const { nodeId } = options;
  if (!isNodeId(nodeId)) {
    throw new RxSyncError(
      'E_OPTION_INVALID',
      `createHlc: nodeId must be 1-64 characters of A-Z a-z 0-9 _ . : -, got ${JSON.stringify(nodeId)}`,
    );
  }
  const now = options.now ?? Date.now;
  const maxDrift = options.maxDrift ?? DEFAULT_MAX_DRIFT;
  if (!(maxDrift >= 0)) {
    throw new RxSyncError('E_OPTION_INVALID', `createHlc: maxDrift must be a non-negative number of ms, got ${String(maxDrift)}`);
  }
  let time = 0;
  let counter = -1; // so that the very first tick at wall time 0 still yields counter 0
  let last: Stamp | undefined;
  if (options.last !== undefined) {
    const restored = decodeStamp(options.last);
    time = restored.time;
    counter = restored.counter;
    last = options.last;
  }

  function wallClock(): number {
    const wall = Math.floor(now());
    if (!Number.isFinite(wall) || wall < 0) {
      throw new RxSyncError('E_HLC_CLOCK', `the injected clock returned ${String(wall)}; expected ms since the epoch`);
    }
    return wall;
  }

  // Computes the next (time, counter) without touching state, so a throw leaves the clock as it was.
  function advance(candidateTime: number, candidateCounter: number): { time: number; counter: number } {
    if (candidateCounter > MAX_STAMP_COUNTER) {
      // Out of counter space in this millisecond: borrow the next one. Every replica does the same
      // arithmetic, and the stamp still exceeds everything seen, so nothing diverges.
      candidateTime += 1;
      candidateCounter = 0;
    }
    if (candidateTime > MAX_STAMP_TIME) {
      throw new RxSyncError('E_HLC_INVALID', 'logical time is beyond the encodable range');
    }
    return { time: candidateTime, counter: candidateCounter };
  }

  // Stamps are issued in bursts within one millisecond: format the time part once per millisecond.
  let timeText = '';
  let timeTextFor = -1;

  function commit(next: { time: number; counter: number }): Stamp {
    if (next.time !== timeTextFor) {
      timeText = encodeStamp({ time: next.time, counter: 0, node: nodeId }).slice(0, 9);
      timeTextFor = next.time;
    }
    const stamp = timeText + next.counter.toString(36).padStart(3, '0') + nodeId;
    time = next.time;
    counter = next.counter;
    last = stamp;
    return stamp;
  }

  return {
    nodeId,
    tick() {
      const wall = wallClock();
      return commit(wall > time ? advance(wall, 0) : advance(time, counter + 1));
    },
    receive(remote) {
      const parts = decodeStamp(remote);
      const wall = wallClock();
      if (parts.time > wall + maxDrift) {
        throw new RxSyncError(
          'E_HLC_DRIFT',
          `remote stamp from ${parts.node} is ${parts.time - wall} ms in the future (max drift ${maxDrift} ms)`,
          {
            details: { remote, wall, maxDrift },
          },
        );
      }
      const nextTime = Math.max(time, wall, parts.time);
      let nextCounter: number;
      if (nextTime === time && nextTime === parts.time) nextCounter = Math.max(counter, parts.counter) + 1;
      else if (nextTime === time) nextCounter = counter + 1;
      else if (nextTime === parts.time) nextCounter = parts.counter + 1;
      else nextCounter = 0;
      return commit(advance(nextTime, nextCounter));
    },
    peek() {
      return last;
    },
  };
}
