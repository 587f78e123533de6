import type { OptionSpec } from './checkOptions.js';

// The options of rxsync's factories outside transports, with their kinds (see `checkOptions`).

/** `createOutbox(options)`. */
export const outboxOptionSpec: OptionSpec = {
  storage: 'object',
  prefix: 'string',
  maxSize: 'count',
  retry: 'object',
  isTransient: 'function',
  clock: 'object',
  now: 'function',
  createId: 'function',
  online$: 'object',
  locks: ['object', 'null'],
  leaseTtl: 'ms',
  rescanInterval: 'ms',
};
/** `persistCache(client, storage, options)`. */
export const persistCacheOptionSpec: OptionSpec = {
  key: 'string',
  buster: 'string',
  maxAge: 'ms',
  throttle: 'ms',
  version: 'number',
  migrate: 'function',
  onError: 'function',
};
/** `client.live(options)`. */
export const liveOptionSpec: OptionSpec = {
  room: 'string',
  doc: 'string',
  type: 'string',
  transport: 'object',
  codec: 'object',
  storage: 'object',
  schema: ['object', 'function'],
  snapshotEvery: 'number',
};
/** `localforageStorage(options)`. */
export const localforageOptionSpec: OptionSpec = {
  name: 'string',
  storeName: 'string',
  driver: ['string', 'array'],
  localforage: 'object',
};
/** `fallbackStorage(backends, options)`. */
export const fallbackStorageOptionSpec: OptionSpec = { timeout: 'ms', onFallback: 'function' };
/** `memoryStorage(options)`. */
export const memoryStorageOptionSpec: OptionSpec = { name: 'string' };
/** `codecChain(stages, options)`. */
export const codecChainOptionSpec: OptionSpec = { onReject: 'function' };
/** `compress(options)`. */
export const compressOptionSpec: OptionSpec = { format: 'string', minBytes: 'count', maxBytes: 'count' };
/** `encryptedStorage(storage, options)` and `encryptedPayloads(options)`. */
export const encryptedOptionSpec: OptionSpec = {
  keys: 'object',
  currentKeyId: 'string',
  context: 'string',
  compress: ['object', 'false'],
  onReject: 'function',
};
/** `broadcastCache(client, options)`. */
export const broadcastCacheOptionSpec: OptionSpec = { name: 'string', createChannel: 'function', onError: 'function' };
