import { hasDocKind, type DocType } from '../lib/crdt/docTypes.js';

let loader: (() => Promise<void>) | undefined;
let loading: Promise<void> | undefined;

/** Whether one of `types` needs code the hub has not loaded yet (an optional peer such as `yjs`). */
export function lacksDocKind(types: Iterable<DocType>): boolean {
  for (const type of types) if (!hasDocKind(type)) return true;
  return false;
}

/**
 * Says how the optional document types' code is loaded: the Node hub (`createHub`) passes a dynamic
 * import of the Yjs kind. The hub's rooms run without it too (`rxsync/testing` in a browser): they
 * then know the kinds registered in the same process (`liveDocuments.with(yjsDocuments)`), and a
 * test bundle never has to resolve `yjs` when the app does not use it.
 */
export function setDocKindLoader(load: () => Promise<void>): void {
  loader ??= load;
}

/**
 * Loads the optional document types' code, once, on the first room that holds such a document: a
 * hub whose rooms never do never imports it. When the peer is not installed (or no loader was set)
 * nothing is registered, and ops of that type are refused with `E_DOC_TYPE_UNAVAILABLE`.
 */
export function loadDocKinds(): Promise<void> {
  if (loader === undefined) return Promise.resolve();
  loading ??= loader().catch(() => undefined);
  return loading;
}
