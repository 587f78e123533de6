import type { OperatorFunction } from 'rxjs';
import type { RxSyncError } from '../lib/errors.js';
import type { Hlc } from '../lib/crdt/hlc.js';
import { invalid, pathKey, type Json } from '../lib/crdt/json.js';
import * as lwwMap from '../lib/crdt/lwwMap.js';
import { mergeCrdt, type MergeKind } from './mergeCrdt.js';
import { newestStamp } from '../lib/crdt/versionVector.js';

/** Options of {@link mergeLww}. */
export interface MergeLwwConfig<V> {
  /** Local state before the first payload. Default: an empty map. Not emitted by itself. */
  seed?: lwwMap.LwwMap<V>;
  /**
   * This replica's clock. Each accepted payload moves it past the payload's newest stamp, so a
   * local edit made after seeing remote data always wins over it. A payload stamped too far in the
   * future (beyond the clock's `maxDrift`) is rejected with `E_HLC_DRIFT` and not merged.
   */
  clock?: Hlc;
  /**
   * Your schema check for each incoming field value (already checked to be JSON data); return false
   * to reject the whole payload (`E_CRDT_INVALID` naming the field).
   */
  validate?: (value: Json, key: string) => boolean;
  /**
   * Told about each rejected payload, which is then skipped (state untouched). Without it a bad
   * payload errors the stream — pass it for live sync, where one bad message must not end the
   * stream.
   */
  onReject?: (error: RxSyncError, payload: unknown) => void;
}

/**
 * Folds a stream of remote {@link lwwMap.LwwMap} payloads — full states or deltas, either encoded
 * (JSON from the network, validated field by field) or in-memory maps from local code — into local
 * state with last-writer-wins per field. Emits the merged map whenever it changed; duplicates and
 * stale deltas emit nothing. Bad payloads are rejected whole (see `onReject`).
 *
 * @example
 * ```ts
 * const doc$ = transport.messages$.pipe(
 *   mergeLww<Todo>({ clock, validate: isTodoField, onReject: (err) => log.warn(err.message) }),
 *   map(lwwMap.value),
 * );
 * ```
 */
export function mergeLww<V = Json>(config: MergeLwwConfig<V> = {}): OperatorFunction<unknown, lwwMap.LwwMap<V>> {
  const { clock, validate } = config;
  // The fold is mergeCrdt's; only decoding is ours (per-field checks, in-memory maps checked as they are).
  const kind: MergeKind<lwwMap.LwwMap<V>, Readonly<Record<string, V>>> = {
    create: () => lwwMap.create<V>(),
    merge: lwwMap.merge,
    decode: (payload) => lwwMap.decode(payload) as lwwMap.LwwMap<V>,
    value: lwwMap.value,
    newest: (state) => newestStamp(lwwMap.version(state)),
  };
  return mergeCrdt(kind, {
    seed: config.seed ?? lwwMap.create<V>(),
    decode(payload) {
      const incoming = isInMemoryMap(payload) ? lwwMap.check(payload) : lwwMap.decode(payload);
      if (validate !== undefined) {
        for (const [key, entry] of incoming.entries) {
          if (!entry.deleted && !validate(entry.value as Json, key)) invalid('lww-map', pathKey('entries', key), 'was refused by validate');
        }
      }
      return incoming as lwwMap.LwwMap<V>;
    },
    ...(clock === undefined ? {} : { clock }),
    ...(config.onReject === undefined ? {} : { onReject: config.onReject }),
  });
}

function isInMemoryMap(payload: unknown): boolean {
  return typeof payload === 'object' && payload !== null && (payload as { entries?: unknown }).entries instanceof Map;
}
