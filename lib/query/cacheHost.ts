import type { EnvironmentFlag } from '../environment/flag.js';
import type { QueryCache } from './queryCache.js';

/**
 * What `cacheQuery` needs from a client: its cache, its clock and its environment flags.
 * `createClient` returns one; anything else that provides these works too.
 */
export interface CacheHost {
  readonly cache: QueryCache;
  readonly now: () => number;
  readonly online: EnvironmentFlag;
  readonly focus: EnvironmentFlag;
}
