import { Observable, type OperatorFunction } from 'rxjs';
import { RxSyncError, isRxSyncError } from '../lib/errors.js';
import type { Hlc } from '../lib/crdt/hlc.js';
import type { DocKind } from '../lib/crdt/docTypes.js';

/**
 * A schema check on the value a merge would produce: returns a description of the problem, or
 * `undefined` when the value is fine. May answer asynchronously (a Standard Schema validator can).
 */
export type MergeCheck<V> = (value: V, payload: unknown) => string | undefined | PromiseLike<string | undefined>;

/**
 * What {@link mergeCrdt} needs of a CRDT: a {@link DocKind}, whose `encode` may be left out when a
 * `decode` option handles in-memory states (so a bundle does not carry an unused encoder).
 */
export type MergeKind<S, V> = Omit<DocKind<S, V>, 'encode'> & Partial<Pick<DocKind<S, V>, 'encode'>>;

/** Options of {@link mergeCrdt}. */
export interface MergeCrdtConfig<S, V> {
  /** Local state before the first payload. Default: the kind's empty state. Not emitted by itself. */
  seed?: S;
  /**
   * This replica's clock. Each accepted payload moves it past the payload's newest stamp, so a local
   * edit made after seeing remote data wins over it. A payload stamped beyond the clock's `maxDrift`
   * is refused with `E_HLC_DRIFT` and not merged: the one drift policy of rxsync (the hub applies it
   * too, so every replica refuses the same payloads and they still converge).
   */
  clock?: Hlc;
  /**
   * Your schema check, run on the value the merge would produce (the kind's `value(merged)`); a
   * problem refuses the payload with `E_SCHEMA_REJECTED`. While an asynchronous check runs, later
   * payloads wait, so payloads are still merged in arrival order.
   */
  validate?: MergeCheck<V>;
  /**
   * Turns a payload into a state; throw to refuse it. Default: encoded JSON (an object with a `type`
   * field) goes through the kind's `decode`; an in-memory state is encoded and decoded again, so it
   * gets the same checks.
   */
  decode?: (payload: unknown) => S;
  /**
   * Told about each refused payload, which is then skipped with the state untouched. Without it a
   * refused payload errors the stream, so it never goes unnoticed.
   */
  onReject?: (error: RxSyncError, payload: unknown) => void;
}

/**
 * Folds a stream of remote CRDT payloads of one document kind — encoded JSON from the network or
 * in-memory states — into local state: decode (validate), compute the merge, check the schema on
 * the merged value, move the clock past the payload (refusing far-future stamps), then commit. A
 * refused payload leaves the state exactly as it was. Emits the state whenever it changed;
 * duplicates and stale payloads emit nothing. Since CRDT merges are commutative, associative and
 * idempotent, the result does not depend on the order or on repeats of the payloads.
 *
 * `kind` is the document type's {@link DocKind} (its create/merge/decode/encode/value/newest):
 * taking it as a value, not a type name, keeps a bundle to the CRDTs it uses.
 *
 * @example
 * ```ts
 * const lwwMapKind: DocKind<lwwMap.LwwMap<Json>, Readonly<Record<string, Json>>> = {
 *   create: lwwMap.create, merge: lwwMap.merge, decode: lwwMap.decode, encode: (s) => lwwMap.encode(s) as unknown as Json,
 *   value: lwwMap.value, newest: (s) => newestStamp(lwwMap.version(s)),
 * };
 * const todo$ = incoming$.pipe(
 *   mergeCrdt(lwwMapKind, { clock, validate: (todo) => (typeof todo['title'] === 'string' ? undefined : 'title missing'), onReject: report }),
 *   map(lwwMap.value),
 * );
 * ```
 */
export function mergeCrdt<S, V>(kind: MergeKind<S, V>, config: MergeCrdtConfig<S, V> = {}): OperatorFunction<unknown, S> {
  const { clock, validate, onReject } = config;
  const decode = config.decode ?? ((payload: unknown) => decodePayload(kind, payload));
  return (source) =>
    new Observable<S>((subscriber) => {
      // Per subscription: two subscribers each fold their own copy from the seed.
      let state = config.seed ?? kind.create();
      /** Payloads waiting while an asynchronous schema check runs. */
      const waiting: unknown[] = [];
      let checking = false;
      let completed = false;
      let closed = false;

      const reject = (error: unknown, payload: unknown): void => {
        const rejection = isRxSyncError(error)
          ? error
          : new RxSyncError('E_MERGE_REJECTED', `payload rejected: ${error instanceof Error ? error.message : String(error)}`, {
              cause: error,
            });
        if (onReject === undefined) {
          closed = true;
          subscriber.error(rejection);
        } else onReject(rejection, payload);
      };

      // The last step, once the schema agreed: the clock, then the new state.
      const commit = (incoming: S, merged: S, payload: unknown): void => {
        try {
          const newest = kind.newest(incoming);
          if (clock !== undefined && newest !== undefined) clock.receive(newest);
        } catch (error) {
          reject(error, payload);
          return;
        }
        if (merged === state) return;
        state = merged;
        subscriber.next(state);
      };

      const schemaRefusal = (problem: string, payload: unknown): RxSyncError =>
        new RxSyncError('E_SCHEMA_REJECTED', `payload refused by the schema: ${problem}`, { details: { problem, payload } });

      /** Handles one payload; false when it is waiting for an asynchronous check. */
      const handle = (payload: unknown): boolean => {
        let incoming: S;
        let merged: S;
        let verdict: string | undefined | PromiseLike<string | undefined>;
        try {
          incoming = decode(payload);
          merged = kind.merge(state, incoming);
          verdict = validate === undefined || merged === state ? undefined : validate(kind.value(merged), payload);
        } catch (error) {
          reject(error, payload);
          return true;
        }
        if (!isThenable(verdict)) {
          if (verdict !== undefined) reject(schemaRefusal(verdict, payload), payload);
          else commit(incoming, merged, payload);
          return true;
        }
        checking = true;
        verdict.then(
          (problem) =>
            resume(() => (problem === undefined ? commit(incoming, merged, payload) : reject(schemaRefusal(problem, payload), payload))),
          (error: unknown) => resume(() => reject(schemaRefusal(error instanceof Error ? error.message : String(error), payload), payload)),
        );
        return false;
      };

      // An asynchronous check answered: finish its payload, then the ones that queued behind it.
      const resume = (finish: () => void): void => {
        checking = false;
        if (closed) return;
        finish();
        drain();
      };

      const drain = (): void => {
        while (!closed && !checking && waiting.length > 0) handle(waiting.shift());
        if (!closed && !checking && completed) subscriber.complete();
      };

      const subscription = source.subscribe({
        next(payload) {
          if (checking) waiting.push(payload);
          else handle(payload);
        },
        error: (error: unknown) => {
          closed = true;
          subscriber.error(error);
        },
        complete: () => {
          completed = true;
          drain();
        },
      });
      return () => {
        closed = true;
        subscription.unsubscribe();
      };
    });
}

/** Encoded payloads carry their `type`; anything else is taken for an in-memory state. */
function decodePayload<S, V>(kind: MergeKind<S, V>, payload: unknown): S {
  const encoded = typeof payload === 'object' && payload !== null && typeof (payload as { type?: unknown }).type === 'string';
  if (encoded || kind.encode === undefined) return kind.decode(payload);
  let json;
  try {
    json = kind.encode(payload as S);
  } catch (error) {
    throw new RxSyncError('E_CRDT_INVALID', `payload is neither an encoded document nor a document state`, { cause: error });
  }
  return kind.decode(json);
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
