// Protocol version 1: frames, their validation, the JSON codec and RPC messages.
export * from './frames.js';
export * from './parseFrame.js';
export * from './jsonCodec.js';
export * from './rpcMessages.js';
export * from './hubMessages.js';
export { isDocName, isOpId, isRoomName } from './names.js';
