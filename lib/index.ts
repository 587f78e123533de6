// rxsync core entry: what apps use. Re-exports only: importing this module does no work.
// Frames, parsers and the other parts people writing their own hub or transport need are in
// `rxsync/protocol` (lib/protocol/index.ts); everything else stays internal.
export * from './errors.js';
export type { BackoffOptions } from './backoff.js';
export * from './crdt/index.js';
export * from './signals/index.js';
export * from './query/index.js';
export * from './environment/index.js';
export * from './storage/index.js';
export * from './outbox/index.js';
export * from './codec/index.js';
export * from './live/index.js';
export * from './metrics/index.js';
export * from './broadcast/index.js';
