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
 * must be an absolute URL with one of `schemes` (e.g. `['ws:', 'wss:']`), or a path starting with
 * `/` (resolved by the platform against the page). A bad entry is `E_OPTION_INVALID` naming it.
 * `options.pick` was checked by the option spec ({@link checkPick}).
 */
export function hubList(where: string, value: unknown, schemes: readonly string[], options: HubListOptions): HubList {
  const entries = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(entries)) {
    throw new RxSyncError('E_OPTION_INVALID', `${where}: the URL must be a string or an array of strings, got ${describeValue(value)}`);
  }
  if (entries.length === 0) throw new RxSyncError('E_OPTION_INVALID', `${where}: the list of hub URLs is empty`);
  const urls = entries.map((entry: unknown, index) => checkUrl(where, entry, index, entries.length, schemes));
  const start = options.pick === 'random' ? Math.floor(Math.random() * urls.length) : 0;
  return { urls, start };
}

/**
 * The POST URL of each hub (SSE, polling): the stream's session lives in one hub's memory, so its
 * frames must go to that same hub. One string serves a single hub; with several, a list of the
 * same length, index for index (or, when `fallback` is given, the stream URLs themselves).
 */
export function postUrls(where: string, value: unknown, hubs: HubList, fallback?: readonly string[]): readonly string[] {
  if (value === undefined && fallback !== undefined) return fallback;
  const entries = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(entries) || entries.length !== hubs.urls.length) {
    const got = Array.isArray(value) ? `a list of ${value.length}` : describeValue(value);
    const wanted = hubs.urls.length === 1 ? 'a URL' : `a list of ${hubs.urls.length} URLs, one per hub URL in the same order`;
    throw new RxSyncError('E_OPTION_INVALID', `${where}: option "postUrl" must be ${wanted}, got ${got}`, {
      details: { option: 'postUrl' },
    });
  }
  return entries.map((entry: unknown, index) => checkUrl(`${where}: option "postUrl"`, entry, index, entries.length, ['http:', 'https:']));
}

/** The option-spec check of {@link HubListOptions.pick}. */
export function checkPick(value: unknown): string | undefined {
  return value === 'first' || value === 'random' ? undefined : "'first' or 'random'";
}

function checkUrl(where: string, entry: unknown, index: number, count: number, schemes: readonly string[]): string {
  const which = count === 1 ? 'the URL' : `URL #${index + 1} of ${count}`;
  const bad = (why: string): RxSyncError => new RxSyncError('E_OPTION_INVALID', `${where}: ${which} ${why}`, { details: { index } });
  if (typeof entry !== 'string') throw bad(`must be a string, got ${describeValue(entry)}`);
  const shown = describeValue(entry);
  // A path is resolved by the platform (against the page); only its syntax can be checked here.
  if (entry.startsWith('/')) {
    if (parse(entry, 'http://localhost') === undefined) throw bad(`(${shown}) is not a valid path`);
    return entry;
  }
  const scheme = parse(entry)?.protocol;
  if (scheme === undefined) throw bad(`(${shown}) is not a URL: expected ${schemes.join(' or ')}//host/path, or a /path`);
  if (!schemes.includes(scheme)) throw bad(`(${shown}) has the scheme ${scheme}; expected ${schemes.join(' or ')}`);
  return entry;
}

/** `URL.canParse` for platforms that predate it. */
function parse(url: string, base?: string): URL | undefined {
  try {
    return new URL(url, base);
  } catch {
    return undefined;
  }
}
