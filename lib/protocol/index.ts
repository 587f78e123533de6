// rxsync/protocol entry: the wire protocol (PROTOCOL.md) for people writing their own hub or
// transport — frames and their builders, parsers that validate untrusted input, the message types
// of a room and of RPC, the JSON codec, name rules, document types on the wire, and group commit.
// Apps do not need it: the core entry (`rxsync`) holds what they use. Re-exports only.
export {
  PROTOCOL_VERSION,
  byeFrame,
  dataFrame,
  errorFrame,
  helloFrame,
  pingFrame,
  pongFrame,
  type ByeFrame,
  type DataFrame,
  type ErrorFrame,
  type Frame,
  type FrameType,
  type HelloFields,
  type HelloFrame,
  type PingFrame,
  type PongFrame,
} from './frames.js';
export { FRAME_INVALID, parseFrame } from './parseFrame.js';
export { jsonCodec, parseSafeJson, type Codec } from './jsonCodec.js';
export {
  RPC_INVALID,
  parseRpcMessage,
  type RpcCall,
  type RpcCancel,
  type RpcComplete,
  type RpcError,
  type RpcMessage,
  type RpcNext,
  type RpcRequestMessage,
  type RpcResponseMessage,
  type RpcResult,
} from './rpcMessages.js';
export {
  MESSAGE_INVALID,
  parseClientMessage,
  parseHubMessage,
  type AckMessage,
  type ClientMessage,
  type HubMessage,
  type HubOp,
  type LeftMessage,
  type MessageLimits,
  type OpMessage,
  type OpsMessage,
  type PeerMessage,
  type PeerPresence,
  type PeersMessage,
  type RejectMessage,
  type SetPresenceMessage,
  type SnapshotMessage,
  type WelcomeLimits,
  type WelcomeMessage,
} from './hubMessages.js';
export { MAX_TOKEN_LENGTH, OP_ID_RULE, ROOM_NAME_RULE, isDocName, isOpId, isRoomName } from './names.js';
export { DOC_TYPES, isDocType, type DocStates, type DocType } from '../crdt/docTypes.js';
export { createGroupCommitter, type GroupCommitter } from '../outbox/groupCommit.js';
