/**
 * Strict reading of a count or sequence number written in a URL, a header or a CLI flag: canonical
 * decimal digits only (`0`, or a non-zero digit then digits), at most `Number.MAX_SAFE_INTEGER`.
 * Everything `Number()` would also accept (`''`, `' 1'`, `'+1'`, `'1.0'`, `'1e3'`, `'0x10'`, `'01'`,
 * `'Infinity'`) is refused, so one number has one spelling and nothing is rounded.
 *
 * @returns the number, or `undefined` when `text` is not such a number.
 */
export function parseDecimal(text: string | null | undefined): number | undefined {
  // MAX_SAFE_INTEGER has 16 digits: longer text is refused before any regex or Number() work.
  if (typeof text !== 'string' || text.length === 0 || text.length > 16 || !/^(?:0|[1-9][0-9]*)$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}
