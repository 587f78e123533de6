import { RxSyncError } from '../lib/errors.js';
import { describeValue } from '../lib/options/checkOptions.js';

/**
 * Where a transport connects: one URL, or several hubs that share one op log (room sequence
 * numbers are the same on each). With several, a connection that fails or drops is retried on
 * the next URL in the list, round-robin, resuming from the same `lastSeq`.
 */
export type HubUrls = string | readonly string[];

/** The options of a transport that takes {@link HubUrls}. */
export interface HubListOptions {
  /**
   * Which URL of the list the first connection goes to: `'first'` (default) or `'random'` (spreads
   * clients that share one list over the hubs). Later attempts go round-robin from there.
   */
  pick?: 'first' | 'random';
}

/** Where the hubs of a transport are, checked, and which one comes first. */
export interface HubList {
  readonly urls: readonly string[];
  /** Index of the URL of the first connection. */
  readonly start: number;
}

/**
 * Checks `value` (a URL or a non-empty list of them) at the top of a transport factory: each entry
 * must be an absolute URL with one of `schemes` (e.g. `'ws, wss'`) and a host, or a path
 * starting with `/` (resolved by the platform against the page). A bad entry is `E_OPTION_INVALID`
 * naming it. `options.pick` was checked by the option spec ({@link checkPick}).
 */
export function hubList(where: string, value: unknown, schemes: string, options: HubListOptions): HubList {
  const urls = checkUrls(where, typeof value === 'string' ? [value] : value, schemes);
  return { urls, start: options.pick === 'random' ? Math.floor(Math.random() * urls.length) : 0 };
}

/**
 * The POST URL of each hub (SSE, polling): the stream's session lives in one hub's memory, so its
 * frames must go to that same hub. One string serves a single hub; with several, a list of the
 * same length, index for index (or, when `fallback` is given, the stream URLs themselves).
 */
export function postUrls(where: string, value: unknown, hubs: HubList, fallback?: readonly string[]): readonly string[] {
  if (value === undefined && fallback !== undefined) return fallback;
  const count = hubs.urls.length;
  const entries = typeof value === 'string' && count === 1 ? [value] : value;
  if (!Array.isArray(entries) || entries.length !== count) {
    const got = Array.isArray(value) ? `a list of ${value.length}` : describeValue(value);
    throw invalid(`${where}: option "postUrl" must be ${count === 1 ? 'a URL' : `a list of ${count} URLs, one per hub`}, got ${got}`);
  }
  return checkUrls(`${where}: option "postUrl"`, entries, HTTP);
}

/** The schemes of {@link hubList} for HTTP URLs. */
export const HTTP = 'http, https';

/** The option-spec check of {@link HubListOptions.pick}. */
export function checkPick(value: unknown): string | undefined {
  return value === 'first' || value === 'random' ? undefined : "'first' or 'random'";
}

function checkUrls(where: string, entries: unknown, schemes: string): readonly string[] {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw invalid(
      `${where}: expected a URL or a non-empty list of URLs, got ${Array.isArray(entries) ? 'an empty list' : describeValue(entries)}`,
    );
  }
  // A path is resolved by the platform (against the page); an absolute URL needs the scheme and a host.
  const pattern = new RegExp(`^(/|(${schemes.replace(/, /g, '|')})://[^/?#\\s])`, 'i');
  return entries.map((entry: unknown, index) => {
    if (typeof entry !== 'string' || !pattern.test(entry)) {
      throw new RxSyncError(
        'E_OPTION_INVALID',
        `${where}: URL #${index + 1} (${describeValue(entry)}) is not a URL (${schemes}) or a /path`,
        {
          details: { index },
        },
      );
    }
    return entry;
  });
}

function invalid(message: string): RxSyncError {
  return new RxSyncError('E_OPTION_INVALID', message);
}
