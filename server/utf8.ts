/**
 * UTF-8 sizes and bytes of frames. Node's `Buffer` when there is one (the hub's hot path); else
 * `TextEncoder`, so the room logic also runs where there is no `Buffer` (the in-memory hub of
 * `rxsync/testing` in a browser).
 */
interface NodeBuffer {
  byteLength(text: string): number;
  from(text: string, encoding: 'utf8'): Uint8Array;
}

const nodeBuffer = (): NodeBuffer | undefined => (globalThis as { Buffer?: NodeBuffer }).Buffer;
let encoder: TextEncoder | undefined;

/** The number of UTF-8 bytes of `text`. */
export function utf8Length(text: string): number {
  const buffer = nodeBuffer();
  if (buffer !== undefined) return buffer.byteLength(text);
  encoder ??= new TextEncoder();
  return encoder.encode(text).length;
}

/** The UTF-8 bytes of `text` (a `Buffer` in Node). */
export function utf8Bytes(text: string): Uint8Array {
  const buffer = nodeBuffer();
  if (buffer !== undefined) return buffer.from(text, 'utf8');
  encoder ??= new TextEncoder();
  return encoder.encode(text);
}
