import { isRxSyncError } from '../errors.js';
import { concatBytes, type Bytes } from './bytes.js';
import { rejection } from './codecErrors.js';

/** Formats both browsers and Node 20 implement in `CompressionStream`. */
export type CompressFormat = 'gzip' | 'deflate-raw';

/**
 * Pushes `input` through a transform stream and collects the output. Writing and reading run
 * together (a stream with back-pressure would stall if we awaited the write first). With
 * `maxBytes`, reading stops as soon as the output passes the limit: a decompression bomb is
 * refused after inflating at most one chunk beyond the limit, never in full.
 */
async function pump(transform: CompressionStream | DecompressionStream, input: Bytes, maxBytes?: number): Promise<Bytes> {
  const writer = transform.writable.getWriter();
  const reader = transform.readable.getReader();
  // Errors of the writing side also surface through `reader.read()`; swallow them here once.
  const writing = writer.write(input).then(() => writer.close());
  writing.catch(() => undefined);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (maxBytes !== undefined && total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      await writer.abort().catch(() => undefined);
      throw rejection('E_TOO_LARGE', `decompressed payload exceeds ${maxBytes} bytes`, { maxBytes, inflatedBytes: total });
    }
    chunks.push(value);
  }
  await writing;
  return concatBytes(chunks);
}

/** `input` compressed with `format`. */
export function compressBytes(input: Bytes, format: CompressFormat): Promise<Bytes> {
  return pump(new CompressionStream(format), input);
}

/** `input` decompressed, refusing output over `maxBytes` (`E_TOO_LARGE`) and corrupt streams (`E_ENVELOPE`). */
export async function decompressBytes(input: Bytes, format: CompressFormat, maxBytes: number): Promise<Bytes> {
  try {
    return await pump(new DecompressionStream(format), input, maxBytes);
  } catch (error) {
    if (isRxSyncError(error, 'E_TOO_LARGE')) throw error;
    throw rejection('E_ENVELOPE', `corrupt ${format} body`, { format }, error);
  }
}
