import type { OptionSpec } from '../lib/options/checkOptions.js';
import { checkPick } from './hubUrls.js';

/** Options every transport takes (`TransportOptions`), with their kinds. */
const common: OptionSpec = {
  codec: 'object',
  parse: 'function',
  maxBuffered: 'count',
  reconnect: ['object', 'false'],
  heartbeat: ['object', 'false'],
  cursor: 'object',
  hello: ['object', 'function'],
  online$: 'object',
  token: ['string', 'function'],
};

/** What the transports that take hub URLs add (`HubListOptions`). */
const hubList: OptionSpec = { pick: checkPick };

/** `webSocket(url, options)`. */
export const webSocketOptionSpec: OptionSpec = { ...common, ...hubList, WebSocket: 'constructor', protocols: ['string', 'array'] };
/** `sse(url, options)`. */
export const sseOptionSpec: OptionSpec = {
  ...common,
  ...hubList,
  postUrl: ['string', 'array'],
  EventSource: 'constructor',
  fetch: 'function',
};
/** `polling(url, options)`. */
export const pollingOptionSpec: OptionSpec = {
  ...common,
  ...hubList,
  interval: 'ms',
  postUrl: ['string', 'array'],
  requestTimeout: 'ms',
  fetch: 'function',
};
/** `broadcast(channelName, options)`. */
export const broadcastOptionSpec: OptionSpec = { ...common, BroadcastChannel: 'constructor' };
/** `memoryPair(options)`: no `parse` or `cursor` (both ends are made here). */
export const memoryPairOptionSpec: OptionSpec = {
  codec: 'object',
  maxBuffered: 'count',
  reconnect: ['object', 'false'],
  heartbeat: ['object', 'false'],
  hello: ['object', 'function'],
  online$: 'object',
  token: ['string', 'function'],
  delay: 'ms',
  loss: 'ratio',
  reorder: 'ratio',
  random: 'function',
};
/** `fallback(candidates, options)`. */
export const fallbackOptionSpec: OptionSpec = { retryPrimaryAfter: 'ms', maxFailures: 'count' };
/** `rpc(transport, options)`. */
export const rpcOptionSpec: OptionSpec = { maxPending: 'count', timeout: 'ms' };
/** `serveRpc(duplex, handlers, options)`. */
export const serveRpcOptionSpec: OptionSpec = { maxConcurrent: 'count' };
