// Conflict-free replicated data types and the hybrid logical clock. Each CRDT is a namespace of
// pure functions over immutable plain data (`lwwMap.merge(a, b)`), so bundlers keep only what is used.
export { createHlc, type Hlc, type HlcOptions } from './hlc.js';
export {
  compareStamps,
  decodeStamp,
  encodeStamp,
  isNodeId,
  isStamp,
  stampNode,
  MAX_STAMP_COUNTER,
  MAX_STAMP_TIME,
  type Stamp,
  type StampParts,
} from './stamp.js';
export {
  coversVersion,
  decodeVersion,
  emptyVersion,
  encodeVersion,
  hasSeen,
  mergeVersions,
  newestStamp,
  stableStamp,
  witness,
  type EncodedVersionVector,
  type VersionVector,
} from './versionVector.js';
export type { Json } from './json.js';
// A namespace's types must be declared in the module itself, not re-exported from a sibling: the
// declaration bundle would otherwise emit them as values (`lwwMap.LwwMap` unusable, TS2693).
export * as lwwRegister from './lwwRegister.js';
export type { EncodedLwwRegister, LwwRegister } from './lwwRegister.js';
export * as mvRegister from './mvRegister.js';
export type { EncodedMvRegister, MvRegister, Sibling } from './mvRegister.js';
export * as lwwMap from './lwwMap.js';
export type { EncodedLwwMap, LwwEntry, LwwMap } from './lwwMap.js';
export * as pnCounter from './pnCounter.js';
export type { EncodedPnCounter, PnCounter } from './pnCounter.js';
export * as orSet from './orSet.js';
export type { EncodedOrSet, OrSet, OrSetDots } from './orSet.js';
export * as mvMap from './mvMap.js';
export type { EncodedMvMap, MvField, MvMap } from './mvMap.js';
// The operations of each live-document type, e.g. `mergeCrdt(docKinds['lww-map'], …)` by hand.
export { docKinds, type DocKind } from './docTypes.js';
