import { map, type OperatorFunction } from 'rxjs';
import type { RxSyncError } from '../lib/errors.js';
import type { Hlc } from '../lib/crdt/hlc.js';
import { invalid as invalidField, type Json } from '../lib/crdt/json.js';
import * as mvRegister from '../lib/crdt/mvRegister.js';
import type { DocKind } from '../lib/crdt/docTypes.js';
import { newestStamp } from '../lib/crdt/versionVector.js';
import { mergeCrdt } from './mergeCrdt.js';

/** Options of {@link mergeMultiValue}. */
export interface MergeMultiValueConfig<V> {
  /** Local register before the first payload. Default: an empty register. Not emitted by itself. */
  seed?: mvRegister.MvRegister<V>;
  /**
   * Picks the value to show while siblings are unresolved (e.g. the longest text, a union of
   * tags). A read-side choice only: every replica computes the same pick from the same siblings,
   * and the siblings stay in `state` and `conflicts` until a write resolves them. Default: the
   * sibling with the newest stamp.
   */
  resolve?: (siblings: readonly mvRegister.Sibling<V>[]) => V;
  /** This replica's clock, moved past each accepted payload; far-future payloads are rejected. */
  clock?: Hlc;
  /** Your schema check for each incoming value (already JSON data); false rejects the whole payload. */
  validate?: (value: Json) => boolean;
  /** Told about each rejected payload, which is skipped. Without it a bad payload errors the stream. */
  onReject?: (error: RxSyncError, payload: unknown) => void;
}

/** What {@link mergeMultiValue} emits: the register, the value to show, and the open conflict. */
export interface MultiValueView<V> {
  /** The merged register; write on it with `mvRegister.set(state, value, clock.tick())`. */
  readonly state: mvRegister.MvRegister<V>;
  /** The value to show: the only one, or `resolve(siblings)` / the newest while in conflict. */
  readonly value: V | undefined;
  /** Two or more concurrent values nobody has resolved yet (empty when there is no conflict). */
  readonly conflicts: readonly mvRegister.Sibling<V>[];
}

/**
 * Folds a stream of remote {@link mvRegister.MvRegister} payloads (encoded JSON, validated, or
 * in-memory registers) into a local register that keeps concurrent writes side by side. Emits a
 * {@link MultiValueView} whenever the register changed, so a UI can show "two people changed this"
 * from `conflicts` and resolve it with one write, which replaces every sibling it has seen.
 *
 * @example
 * ```ts
 * const title$ = incoming$.pipe(mergeMultiValue<string>({ clock, onReject: report }), shareReplay(1));
 * const conflicts$ = title$.pipe(map((t) => t.conflicts));      // [] or the siblings
 * // The user picks one: a single write resolves the conflict everywhere.
 * const chosen = mvRegister.set(current.state, 'Q3 plan (final)', clock.tick());
 * incoming$.next(chosen);
 * transport.send(mvRegister.encode(chosen));
 * ```
 */
export function mergeMultiValue<V = Json>(config: MergeMultiValueConfig<V> = {}): OperatorFunction<unknown, MultiValueView<V>> {
  const { clock, validate, resolve } = config;
  const kind: DocKind<mvRegister.MvRegister<V>, V | undefined> = {
    create: () => mvRegister.create<V>(),
    merge: mvRegister.merge,
    decode: (payload) => mvRegister.decode(payload) as mvRegister.MvRegister<V>,
    encode: (state) => mvRegister.encode(state) as unknown as Json,
    value: (state) => mvRegister.value(state),
    newest: (state) => newestStamp(mvRegister.version(state)),
  };
  const fold = mergeCrdt(kind, {
    seed: config.seed ?? mvRegister.create<V>(),
    decode(payload) {
      // In-memory registers get the same checks as JSON: round-trip them through the codec.
      const incoming = mvRegister.decode(isInMemoryRegister(payload) ? mvRegister.encode(payload as mvRegister.MvRegister<Json>) : payload);
      if (validate !== undefined) {
        incoming.siblings.forEach((sibling, i) => {
          if (!validate(sibling.value)) invalid(i);
        });
      }
      return incoming as mvRegister.MvRegister<V>;
    },
    ...(clock === undefined ? {} : { clock }),
    ...(config.onReject === undefined ? {} : { onReject: config.onReject }),
  });
  return (source) =>
    source.pipe(
      fold,
      map((state) => ({ state, value: mvRegister.value(state, resolve), conflicts: mvRegister.conflicts(state) })),
    );
}

function isInMemoryRegister(payload: unknown): boolean {
  return typeof payload === 'object' && payload !== null && (payload as { seen?: unknown }).seen instanceof Map;
}

function invalid(index: number): never {
  return invalidField('mv-register', `siblings[${index}][1]`, 'was refused by validate');
}
