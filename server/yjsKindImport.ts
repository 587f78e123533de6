import { registerDocKind } from '../lib/crdt/docTypes.js';

/** Loads the `yjs` kind (and with it the optional peer `yjs`) into the hub's registry of document kinds. */
export async function importYjsKind(): Promise<void> {
  const { yjsKind } = await import('../yjs/yjsKind.js');
  registerDocKind('yjs', yjsKind);
}
