import { randomId } from '../randomId.js';

/**
 * Op ids for one outbox instance: a random 128-bit prefix drawn once, then a counter. The hub
 * dedupes by op id per room forever, so ids must never repeat across tabs, processes and devices:
 * the prefix has the randomness of a UUID per instance, the counter makes each op of the instance
 * distinct. One random draw per instance instead of one per op (a measurable share of `enqueue`).
 * Ids are 34–44 characters of `0-9 a-f` and `-`, within the protocol's 64-character op id.
 */
export function createOpIds(): () => string {
  const prefix = randomId().replace(/-/g, '');
  let next = 0;
  return () => `${prefix}-${(next++).toString(36)}`;
}
