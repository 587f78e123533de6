// rxsync core entry. Re-exports only: importing this module does no work.
export * from './errors.js';
export * from './backoff.js';
export * from './crdt/index.js';
export * from './signals/index.js';
export * from './query/index.js';
export * from './environment/index.js';
export * from './storage/index.js';
export * from './outbox/index.js';
export * from './protocol/index.js';
export * from './codec/index.js';
export * from './live/index.js';
export * from './metrics/index.js';
export * from './broadcast/index.js';
