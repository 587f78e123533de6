/**
 * A random 128-bit id: `crypto.randomUUID()` where available, else 16 bytes from
 * `crypto.getRandomValues`, else (very old runtimes) `Math.random`. Used for outbox op ids
 * (idempotency keys) and connection ids; resolved at call time, never at import.
 */
export function randomId(): string {
  const c = (globalThis as { crypto?: Partial<Pick<Crypto, 'randomUUID' | 'getRandomValues'>> }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
