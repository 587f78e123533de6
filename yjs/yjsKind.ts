import * as Y from 'yjs';
import { fromBase64Url, toBase64Url } from '../lib/codec/bytes.js';
import type { DocKind } from '../lib/crdt/docTypes.js';
import type { Json } from '../lib/crdt/json.js';
import { RxSyncError } from '../lib/errors.js';

/**
 * Largest Yjs update accepted (decoded bytes), wherever it comes from: the network, storage or a
 * saved replica. A compacted document is one update, so this also bounds a document's size.
 */
export const MAX_YJS_UPDATE_BYTES = 4 * 1024 * 1024;

/** The update of an empty document: no structs, no deletions. */
const EMPTY: Uint8Array = new Uint8Array([0, 0]);

function invalid(problem: string, cause?: unknown): RxSyncError {
  return new RxSyncError('E_YJS_UPDATE_INVALID', `Invalid Yjs update: ${problem}`, {
    ...(cause === undefined ? {} : { cause }),
    details: { problem },
  });
}

/**
 * Validates untrusted bytes as a Yjs update: decoded structure by structure and applied to a
 * scratch document, so a state that passes cannot make `Y.applyUpdate` or `Y.mergeUpdates` throw
 * later, on a client or in the hub. Throws `E_YJS_UPDATE_INVALID`.
 */
export function checkYjsUpdate(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength > MAX_YJS_UPDATE_BYTES) throw invalid(`${bytes.byteLength} bytes, over ${MAX_YJS_UPDATE_BYTES}`);
  try {
    Y.decodeUpdate(bytes);
    const scratch = new Y.Doc({ gc: false });
    Y.applyUpdate(scratch, bytes);
    scratch.destroy();
  } catch (error) {
    throw invalid(error instanceof Error ? error.message : 'it does not decode', error);
  }
  return bytes;
}

/**
 * The `yjs` document type's CRDT operations: a state is one Yjs update holding the whole document
 * (`Y.mergeUpdates` is its merge: commutative, associative, idempotent in content), encoded as
 * unpadded base64url text on the wire and in storage.
 */
export const yjsKind: DocKind<Uint8Array, Uint8Array> = {
  create: () => EMPTY,
  merge: (a, b) => (b === EMPTY || b === a ? a : a === EMPTY ? b : Y.mergeUpdates([a, b])),
  mergeMany: (states) => {
    const parts = states.filter((state) => state !== EMPTY);
    return parts.length === 0 ? EMPTY : parts.length === 1 ? (parts[0] as Uint8Array) : Y.mergeUpdates(parts);
  },
  decode(input: unknown): Uint8Array {
    if (typeof input !== 'string') throw invalid(`expected base64url text, got ${input === null ? 'null' : typeof input}`);
    // Four characters per three bytes: refuse before decoding anything too large.
    if (input.length > Math.ceil((MAX_YJS_UPDATE_BYTES * 4) / 3)) throw invalid(`${input.length} characters of base64url, too large`);
    const bytes = fromBase64Url(input);
    if (bytes === undefined) throw invalid('not canonical base64url');
    return checkYjsUpdate(bytes);
  },
  encode: (state): Json => toBase64Url(state),
  value: (state) => state,
  // Yjs orders by its own clocks: nothing for the hybrid logical clock to catch up with.
  newest: () => undefined,
};
