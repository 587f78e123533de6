// rxsync/operators entry: one custom RxJS operator per file.
export { retryBackoff, type RetryBackoffConfig } from './retryBackoff.js';
export { cacheQuery, type CacheQueryOptions } from './cacheQuery.js';
export { dedupe, type InflightRegistry } from './dedupe.js';
export { bufferOffline, type BufferOfflineOptions } from './bufferOffline.js';
export { reconnect, type ReconnectConfig } from './reconnect.js';
export { heartbeat, type HeartbeatConfig } from './heartbeat.js';
export { mergeLww, type MergeLwwConfig } from './mergeLww.js';
export { mergeMultiValue, type MergeMultiValueConfig, type MultiValueView } from './mergeMultiValue.js';
export { mergeCustom, type MergeCustomConfig } from './mergeCustom.js';
export { mergeCrdt, type MergeCrdtConfig, type MergeCheck, type MergeKind } from './mergeCrdt.js';
export type { DocKind } from '../lib/crdt/docTypes.js';
