import type { BuiltInDocType, DocKind, DocStates, DocType, DocValues } from '../crdt/docTypes.js';
import type { DocReplica, ReplicaMergeOptions } from './docReplica.js';
import type { DocParts } from './docs/liveDocument.js';
import type { LiveDocs } from './docs/liveDocs.js';

/** A document type whose code is not built in (`yjs`): the type's name. */
export type ExtensionDocType = Exclude<DocType, BuiltInDocType>;

/**
 * What an optional document type brings to `liveDocuments.with(...)`: its CRDT operations and its
 * document class. `rxsync/yjs` exports `yjsDocuments`, the one for `type: 'yjs'`.
 */
export interface LiveDocExtension<T extends ExtensionDocType = ExtensionDocType> {
  readonly type: T;
  readonly kind: DocKind<DocStates[T], DocValues[T]>;
  /**
   * Builds the replica of a document of this type, when the generic one (a fold of whole states
   * through the kind's merge) would cost too much per edit. Default: the generic one.
   */
  replica?(options: ReplicaMergeOptions): DocReplica<T>;
  /** Builds a document of this type on its parts. */
  create(parts: DocParts<T>): LiveDocs[T];
}
