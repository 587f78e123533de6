// The room side of live sync lives in ./room/ (one concern per file); this keeps its entry point.
export { RoomLink, type RoomLinkDeps } from './room/roomLink.js';
export type { DocOptions } from './room/replicaSet.js';
export { opContext, type LiveCodec } from './liveCodec.js';
export type { LiveStatus } from './liveStatus.js';
