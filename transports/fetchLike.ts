import { RxSyncError } from '../lib/errors.js';

/** The part of a `fetch` Response rxsync reads. */
export interface FetchResponseLike {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** The part of `fetch` rxsync uses; the global `fetch` fits. */
export type FetchLike = (
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal; keepalive?: boolean },
) => Promise<FetchResponseLike>;

/** The injected fetch, or the global one looked up now (never at import time). */
export function resolveFetch(injected: FetchLike | undefined): FetchLike {
  if (injected !== undefined) return injected;
  const global = (globalThis as { fetch?: FetchLike }).fetch;
  if (global === undefined) throw new RxSyncError('E_OPTION_INVALID', 'No fetch available: pass `fetch` in the options');
  return (url, init) => global(url, init);
}
