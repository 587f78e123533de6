import { defer, tap, type OperatorFunction } from 'rxjs';
import type { RxSyncError } from '../lib/errors.js';
import { mergeCrdt, type MergeKind } from './mergeCrdt.js';

/** Options of {@link mergeCustom}. */
export interface MergeCustomConfig<S> {
  /** The local state before the first payload arrives. Not emitted: add `startWith(seed)` for that. */
  seed: S;
  /**
   * Validates an incoming payload and turns it into a state (or delta) for `merge`. Throw to reject
   * the payload. Defaults to taking the payload as it is, which is only safe for trusted sources.
   */
  decode?: (payload: unknown) => S;
  /**
   * Runs after `decode`, before `merge`, e.g. to advance a clock past the payload's stamps; throw to
   * reject the payload (nothing has been applied yet).
   */
  accept?: (incoming: S, current: S) => void;
  /**
   * Told about every rejected payload (bad shape, refused clock, throwing merge). When given, the
   * stream skips the payload and goes on with its state untouched. When absent, the stream errors
   * with the `RxSyncError`, so a bad payload never goes unnoticed.
   */
  onReject?: (error: RxSyncError, payload: unknown) => void;
}

/**
 * Folds a stream of remote payloads into local state with your own merge function, for data that
 * fits neither last-writer-wins nor multi-value registers. Every payload is decoded (validated)
 * first and merged all-or-nothing; a rejected payload leaves the state exactly as it was. Emits the
 * new state each time `merge` returns a different object (return `current` itself for "no change").
 *
 * @example
 * ```ts
 * // Keep the highest score any device has reported.
 * const best$ = scores$.pipe(
 *   mergeCustom((current: number, incoming: number) => Math.max(current, incoming), {
 *     seed: 0,
 *     decode: (p) => { if (typeof p !== 'number') throw new RxSyncError('E_SCORE_INVALID', 'not a number'); return p; },
 *     onReject: (err) => metrics.count('rejected', err.code),
 *   }),
 * );
 * ```
 */
export function mergeCustom<S>(merge: (current: S, incoming: S) => S, config: MergeCustomConfig<S>): OperatorFunction<unknown, S> {
  const decode = config.decode ?? ((payload: unknown) => payload as S);
  const { accept, onReject } = config;
  return (source) =>
    defer(() => {
      // Per subscription: `accept` sees this subscription's current state.
      let current = config.seed;
      // mergeCrdt's fold with your merge: no stamps, no schema; `accept` runs as part of decoding.
      const kind: MergeKind<S, S> = {
        create: () => config.seed,
        merge,
        decode: (payload) => {
          const incoming = decode(payload);
          accept?.(incoming, current);
          return incoming;
        },
        value: (state) => state,
        newest: () => undefined,
      };
      return source.pipe(
        mergeCrdt(kind, { decode: kind.decode, ...(onReject === undefined ? {} : { onReject }) }),
        tap((state) => (current = state)),
      );
    });
}
