// Live documents: CRDT documents in a hub room, edited locally and synced through the outbox.
export { DOC_TYPES, isDocType, type DocType, type DocStates, type DocValues } from '../crdt/docTypes.js';
export type { LiveDocBase, LiveDocs, LiveMap, LiveRegister, LiveMultiValue, LiveCounter, LiveSet } from './liveDoc.js';
export { liveDocuments, type LiveDocuments, type LiveOptions, type LiveRegistry } from './liveRegistry.js';
export type { LiveCodec, LiveStatus } from './roomLink.js';
export type { LiveTransport } from './liveTransport.js';
export { LIVE_OP, type LiveOpPayload } from './liveOp.js';
