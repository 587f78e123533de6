import { hasDocKind, registerDocKind, type DocType } from '../lib/crdt/docTypes.js';

let loading: Promise<void> | undefined;

/** Whether one of `types` needs code the hub has not loaded yet (an optional peer such as `yjs`). */
export function lacksDocKind(types: Iterable<DocType>): boolean {
  for (const type of types) if (!hasDocKind(type)) return true;
  return false;
}

/**
 * Loads the optional document types' code (Yjs), once, on the first room that holds such a
 * document: a hub whose rooms never do never imports it. When the peer is not installed nothing is
 * registered, and ops of that type are refused with `E_DOC_TYPE_UNAVAILABLE`.
 */
export function loadDocKinds(): Promise<void> {
  loading ??= import('../yjs/yjsKind.js').then(
    ({ yjsKind }) => registerDocKind('yjs', yjsKind),
    () => undefined,
  );
  return loading;
}
