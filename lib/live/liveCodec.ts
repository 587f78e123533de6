import type { Json } from '../crdt/json.js';

/**
 * Seals and opens op bodies of an end-to-end room. `codecChain([json(), compress(), encrypt({ keys })])`
 * fits. `context` binds a ciphertext to its room and document, so it cannot be replayed elsewhere.
 */
export interface LiveCodec {
  encodeText(value: Json, context: string): Promise<string>;
  decodeText(text: string, context: string): Promise<unknown>;
}

/** The additional authenticated data of a document's ops ('/' cannot occur in names). */
export function opContext(room: string, doc: string): string {
  return `${room}/${doc}`;
}

/**
 * The additional authenticated data of a document's state in a sealed snapshot: bound to the seq
 * it covers, so a hub cannot serve an old snapshot as a newer one (ops' contexts have one '/').
 */
export function snapshotContext(room: string, doc: string, seq: number): string {
  return `${room}/${doc}/snapshot/${seq}`;
}
