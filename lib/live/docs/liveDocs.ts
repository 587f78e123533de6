import type { DocType } from '../../crdt/docTypes.js';
import { LiveCounterDoc, type LiveCounter } from './liveCounter.js';
import type { DocParts } from './liveDocument.js';
import { LiveMapDoc, type LiveMap } from './liveMap.js';
import { LiveMultiValueDoc, type LiveMultiValue } from './liveMultiValue.js';
import { LiveMvMapDoc, type LiveMvMap } from './liveMvMap.js';
import { LiveRegisterDoc, type LiveRegister } from './liveRegister.js';
import { LiveSetDoc, type LiveSet } from './liveSet.js';
import type { LiveYjs } from './liveYjs.js';
import type { LiveDocExtension } from '../liveExtension.js';
import { RxSyncError } from '../../errors.js';

/** The live document type of each {@link DocType} (untyped values: JSON). */
export interface LiveDocs {
  'lww-map': LiveMap;
  'lww-register': LiveRegister;
  'mv-register': LiveMultiValue;
  'pn-counter': LiveCounter;
  'or-set': LiveSet;
  'mv-map': LiveMvMap;
  /** Needs `liveDocuments.with(yjsDocuments)` from `rxsync/yjs`. */
  yjs: LiveYjs;
}

/** The parts of a document of one type or another, told apart by `type`. */
export type AnyDocParts = { [T in DocType]: DocParts<T> }[DocType];

/** A live document of any type. */
export type AnyLiveDoc = LiveDocs[DocType];

/** The document class of `parts.type`, built on its parts (`extensions` bring the optional types). */
export function createDoc(parts: AnyDocParts, extensions: readonly LiveDocExtension[]): AnyLiveDoc {
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
    case 'yjs': {
      const extension = extensions.find((candidate) => candidate.type === parts.type);
      if (extension === undefined) throw unavailable(parts.type);
      return extension.create(parts);
    }
  }
}

/** `E_DOC_TYPE_UNAVAILABLE`: the app opened a document of a type it did not register. */
export function unavailable(type: LiveDocExtension['type']): RxSyncError {
  const hint = { yjs: "liveDocuments.with(yjsDocuments) (import { yjsDocuments } from 'rxsync/yjs')" }[type];
  return new RxSyncError('E_DOC_TYPE_UNAVAILABLE', `client.live: type "${type}" needs createClient({ live: ${hint} })`, {
    details: { type },
  });
}
