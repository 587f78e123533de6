// rxsync/transports entry: the Transport contract, its implementations, fallback and RPC.
// Re-exports only: importing this module connects nothing and reads no globals.
export type { Transport, TransportState, TransportStatus, SeqCursor } from './transport.js';
export type { TransportOptions, TransportReconnectOptions } from './createTransport.js';
export type { FetchLike, FetchResponseLike } from './fetchLike.js';
export type { HubUrls, HubListOptions } from './hubUrls.js';
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
export { rpc, type RpcClient, type RpcCallOptions, type RpcOptions, type RpcTransport } from './rpc.js';
export { serveRpc, type RpcDuplex, type RpcHandler, type RpcHandlerContext, type ServeRpcOptions } from './rpcServer.js';
export type {
  RpcCall,
  RpcCancel,
  RpcComplete,
  RpcError,
  RpcMessage,
  RpcNext,
  RpcRequestMessage,
  RpcResponseMessage,
  RpcResult,
} from '../lib/protocol/rpcMessages.js';
export { fallback, type FallbackOptions, type FallbackTransport } from './fallback.js';
