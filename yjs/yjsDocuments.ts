import type { LiveDocExtension } from '../lib/live/liveExtension.js';
import { LiveYDocImpl } from './liveYDoc.js';
import { yjsKind } from './yjsKind.js';
import { YjsReplica } from './yjsReplica.js';

/**
 * The `yjs` document type for `createClient({ live: liveDocuments.with(yjsDocuments) })`: Yjs
 * documents edited through a `Y.Doc`, their updates carried by the outbox and the hub.
 */
export const yjsDocuments: LiveDocExtension<'yjs'> = {
  type: 'yjs',
  kind: yjsKind,
  replica: (options) => new YjsReplica(options).asDocReplica(),
  create: (parts) => new LiveYDocImpl(parts),
};
