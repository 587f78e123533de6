// Live documents: CRDT documents in a hub room, edited locally and synced through the outbox.
export type { DocType, DocStates, DocValues } from '../crdt/docTypes.js';
export type { LiveDocBase, LiveQueryState, LiveValueOf, LiveConflictsOf, LiveSnapshot } from './docs/liveDocument.js';
export type { LiveDocs } from './docs/liveDocs.js';
export type { LiveMap } from './docs/liveMap.js';
export type { LiveRegister } from './docs/liveRegister.js';
export type { LiveMultiValue } from './docs/liveMultiValue.js';
export type { LiveCounter } from './docs/liveCounter.js';
export type { LiveSet } from './docs/liveSet.js';
export type { LiveMvMap, FieldConflicts } from './docs/liveMvMap.js';
export type { FieldsOf, MapValue } from './docs/recordFields.js';
export type { StandardSchemaV1, StandardSchemaResult, StandardSchemaIssue } from './docs/standardSchema.js';
export { liveDocuments, type LiveDocuments, type LiveHost, type LiveRegistry } from './liveRegistry.js';
export type { LiveOptions, OpenLive } from './liveOptions.js';
export type { LiveCodec, LiveStatus } from './roomLink.js';
export type { LiveTransport } from './liveTransport.js';
export type { ValueCheck } from './valueCheck.js';
