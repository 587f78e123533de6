import type { Subscription } from 'rxjs';
import type { EnvironmentFlag } from '../environment/flag.js';
import { RxSyncError } from '../errors.js';
import { Cell } from '../signals/cell.js';
import { storeObservableOf, type StoreObservable } from '../signals/storeObservable.js';

/** Where the latest `mutate()` of a mutation handle stands (see {@link MutationState}). */
export type MutationStatus = 'idle' | 'pending' | 'queued' | 'success' | 'error';

/** What every {@link MutationState} carries, whatever its status. */
interface MutationStateBase {
  /** When `mutate()` was called (ms since epoch), 0 while idle. */
  readonly submittedAt: number;
  /** When the server accepted it or it failed (ms since epoch), 0 until then. */
  readonly settledAt: number;
  /** Queued while the client is offline: nothing is sent until it is back online. */
  readonly isPaused: boolean;
}

/**
 * The state of the latest `mutate()` made through a mutation handle, a union on `status`, so
 * `if (state.status === 'success') state.data` is the server's answer (`R`):
 *
 * - `idle`: nothing submitted (or `reset()` was called).
 * - `pending`: the optimistic change is applied; the op is being written to the outbox.
 * - `queued`: durable in the outbox (`queuedId`), waiting for the server; `isPaused` while offline.
 * - `success`: the server accepted it (`data` is its answer).
 * - `error`: not queued (storage refused it: `queuedId` undefined, the optimistic change undone)
 *   or dead-lettered (`error` is an `RxSyncError` whose `code` is the refusal's code, or
 *   `E_HTTP` with `details.status` for an HTTP status).
 */
export type MutationState<V, R> =
  | (MutationStateBase & {
      readonly status: 'idle';
      readonly variables: undefined;
      readonly data: undefined;
      readonly error: null;
      readonly queuedId: undefined;
    })
  | (MutationStateBase & {
      readonly status: 'pending';
      readonly variables: V;
      readonly data: undefined;
      readonly error: null;
      readonly queuedId: undefined;
    })
  | (MutationStateBase & {
      readonly status: 'queued';
      readonly variables: V;
      readonly data: undefined;
      readonly error: null;
      readonly queuedId: string;
    })
  | (MutationStateBase & {
      readonly status: 'success';
      readonly variables: V;
      readonly data: R;
      readonly error: null;
      readonly queuedId: string;
    })
  | (MutationStateBase & {
      readonly status: 'error';
      readonly variables: V;
      readonly data: undefined;
      readonly error: unknown;
      readonly queuedId: string | undefined;
    });

/** How a queued mutation ended. */
export type MutationOutcome<R> =
  { readonly status: 'acked'; readonly result: R } | { readonly status: 'dead'; readonly error: string; readonly code?: number | string };

const IDLE: MutationState<never, never> = {
  status: 'idle',
  variables: undefined,
  data: undefined,
  error: null,
  queuedId: undefined,
  submittedAt: 0,
  settledAt: 0,
  isPaused: false,
};

/** @internal One `mutate()` call's steps; each is ignored once a later call (or `reset`) took over. */
export interface MutationCall<R> {
  queued(id: string): void;
  settled(outcome: MutationOutcome<R>): void;
  failed(error: unknown): void;
}

/** @internal The state of one mutation handle: the latest call's, observed through `state$`. */
export interface MutationStateTracker<V, R> {
  readonly state$: StoreObservable<MutationState<V, R>>;
  begin(variables: V): MutationCall<R>;
  reset(): void;
  /** Stops following the online flag (the handle is disposed). */
  dispose(): void;
}

/** @internal Tracks the latest call of a handle; `isPaused` follows `online` only while queued. */
export function createMutationStateTracker<V, R>(name: string, online: EnvironmentFlag, now: () => number): MutationStateTracker<V, R> {
  const cell = new Cell<MutationState<V, R>>(IDLE);
  let latest: object | undefined;
  let watching: Subscription | undefined;
  const unwatch = (): void => {
    watching?.unsubscribe();
    watching = undefined;
  };
  const move = (next: MutationState<V, R>): void => {
    if (next.status !== 'queued') unwatch();
    cell.set(next);
  };

  return {
    state$: storeObservableOf((subscriber) => cell.subscribe(subscriber)),
    begin(variables) {
      unwatch();
      const token = {};
      latest = token;
      const submittedAt = now();
      const base = { variables, data: undefined, submittedAt, settledAt: 0, isPaused: false } as const;
      move({ ...base, status: 'pending', error: null, queuedId: undefined });
      const current = (): boolean => latest === token;
      return {
        queued(id) {
          if (!current()) return;
          const queued = { ...base, status: 'queued', error: null, queuedId: id } as const;
          move(queued);
          // The flag emits its value at once; a queued op is paused while it says offline.
          watching = online.value$.subscribe((isOnline) => {
            const state = cell.get();
            if (state.status === 'queued' && state.isPaused === isOnline) cell.set({ ...state, isPaused: !isOnline });
          });
        },
        settled(outcome) {
          if (!current()) return;
          const queuedId = cell.get().queuedId as string;
          const settledAt = now();
          if (outcome.status === 'acked') {
            move({ ...base, status: 'success', data: outcome.result, error: null, queuedId, settledAt });
          } else {
            move({ ...base, status: 'error', error: deadLetterError(name, queuedId, outcome), queuedId, settledAt });
          }
        },
        failed(error) {
          if (current()) move({ ...base, status: 'error', error, queuedId: undefined, settledAt: now() });
        },
      };
    },
    reset() {
      latest = undefined;
      move(IDLE);
    },
    dispose: unwatch,
  };
}

/** The error of a dead-lettered mutation: the refusal's code, `E_HTTP` for an HTTP status. */
function deadLetterError(name: string, id: string, outcome: { error: string; code?: number | string }): RxSyncError {
  const { code } = outcome;
  const details = { name, id, ...(code !== undefined ? { status: code } : {}) };
  const errorCode = typeof code === 'string' ? code : typeof code === 'number' ? 'E_HTTP' : 'E_MUTATION_FAILED';
  return new RxSyncError(errorCode, `Mutation "${name}" failed for good: ${outcome.error}`, { details });
}
