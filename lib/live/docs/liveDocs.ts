import type { DocType } from '../../crdt/docTypes.js';
import { LiveCounterDoc, type LiveCounter } from './liveCounter.js';
import type { DocParts } from './liveDocument.js';
import { LiveMapDoc, type LiveMap } from './liveMap.js';
import { LiveMultiValueDoc, type LiveMultiValue } from './liveMultiValue.js';
import { LiveMvMapDoc, type LiveMvMap } from './liveMvMap.js';
import { LiveRegisterDoc, type LiveRegister } from './liveRegister.js';
import { LiveSetDoc, type LiveSet } from './liveSet.js';

/** The live document type of each {@link DocType} (untyped values: JSON). */
export interface LiveDocs {
  'lww-map': LiveMap;
  'lww-register': LiveRegister;
  'mv-register': LiveMultiValue;
  'pn-counter': LiveCounter;
  'or-set': LiveSet;
  'mv-map': LiveMvMap;
}

/** The parts of a document of one type or another, told apart by `type`. */
export type AnyDocParts = { [T in DocType]: DocParts<T> }[DocType];

/** A live document of any type. */
export type AnyLiveDoc = LiveDocs[DocType];

/** The document class of `parts.type`, built on its parts. */
export function createDoc(parts: AnyDocParts): AnyLiveDoc {
  switch (parts.type) {
    case 'lww-map':
      return new LiveMapDoc(parts);
    case 'lww-register':
      return new LiveRegisterDoc(parts);
    case 'mv-register':
      return new LiveMultiValueDoc(parts);
    case 'pn-counter':
      return new LiveCounterDoc(parts);
    case 'or-set':
      return new LiveSetDoc(parts);
    case 'mv-map':
      return new LiveMvMapDoc(parts);
  }
}
