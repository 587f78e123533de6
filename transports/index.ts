// rxsync/transports entry: the Transport contract, its implementations, fallback and RPC.
// Re-exports only: importing this module connects nothing and reads no globals.
export type { Transport, TransportState, TransportStatus, SeqCursor } from './transport.js';
export type { TransportOptions, TransportReconnectOptions } from './createTransport.js';
export type { FetchLike, FetchResponseLike } from './fetchLike.js';
export { webSocket, type WebSocketLike, type WebSocketConstructor, type WebSocketTransportOptions } from './webSocket.js';
export { sse, type EventSourceLike, type EventSourceConstructor, type SseTransportOptions } from './sse.js';
export { polling, type PollingTransportOptions } from './polling.js';
export {
  broadcast,
  type BroadcastChannelLike,
  type BroadcastChannelConstructor,
  type BroadcastEnvelope,
  type BroadcastTransportOptions,
} from './broadcast.js';
export { memoryPair, type MemoryEnd, type MemoryPairOptions } from './memoryPair.js';
export { jsonCodec, type Codec } from '../lib/protocol/jsonCodec.js';
