/// <reference types="node" />
import { createHash } from 'node:crypto';

// Longest encoded name kept readable; longer keys get a hashed name (file systems cap names at 255 bytes).
const maxReadableLength = 200;
const dataFile = /^[kh][a-z0-9_~-]*\.json$/;

/**
 * The file name for a storage key. Only lowercase letters, digits and `-` are kept as they are;
 * every other UTF-16 code unit becomes `_xx` (below 0x100) or `~xxxx`, so the name is the same on
 * case-insensitive file systems, never `.`/`..`, never a reserved Windows name, and decodes back
 * to exactly the key. Keys too long for that get `h` + a SHA-256 of the encoding; their files
 * hold the key, which is how {@link keyOfFileName} callers recover it.
 *
 * @example
 * ```ts
 * keyFileName('Todo:1'); // 'k_54odo_3a1.json'
 * ```
 */
export function keyFileName(key: string): string {
  let encoded = 'k';
  for (let i = 0; i < key.length; i++) {
    const unit = key.charCodeAt(i);
    const char = key[i]!;
    if ((char >= 'a' && char <= 'z') || (char >= '0' && char <= '9') || char === '-') encoded += char;
    else if (unit < 0x100) encoded += `_${unit.toString(16).padStart(2, '0')}`;
    else encoded += `~${unit.toString(16).padStart(4, '0')}`;
  }
  if (encoded.length > maxReadableLength) encoded = `h${createHash('sha256').update(encoded).digest('hex')}`;
  return `${encoded}.json`;
}

/**
 * What a directory entry is: a data file with its key (`undefined` for a hashed name, whose key
 * is inside the file), or `undefined` for anything else (temp files, journals, foreign files).
 */
export function keyOfFileName(fileName: string): { key: string | undefined } | undefined {
  if (!dataFile.test(fileName)) return undefined;
  if (fileName.startsWith('h')) return { key: undefined };
  const encoded = fileName.slice(1, -'.json'.length);
  let key = '';
  for (let i = 0; i < encoded.length;) {
    const char = encoded[i]!;
    const width = char === '_' ? 2 : char === '~' ? 4 : 0;
    if (width === 0) {
      key += char;
      i += 1;
      continue;
    }
    const hex = encoded.slice(i + 1, i + 1 + width);
    if (!/^[0-9a-f]+$/.test(hex) || hex.length !== width) return undefined;
    key += String.fromCharCode(parseInt(hex, 16));
    i += 1 + width;
  }
  // Only names this encoder would produce count: a foreign file that merely decodes is not ours.
  return keyFileName(key) === fileName ? { key } : undefined;
}
