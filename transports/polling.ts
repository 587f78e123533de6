import { Observable } from 'rxjs';
import { RxSyncError } from '../lib/errors.js';
import { createTransport, type TransportOptions } from './createTransport.js';
import { resolveFetch, type FetchLike } from './fetchLike.js';
import { createHttpPoster, httpError } from './httpPoster.js';
import { HTTP, hubList, postUrls, type HubListOptions, type HubUrls } from './hubUrls.js';
import { randomId, withQuery } from './ids.js';
import type { LinkContext, LinkEvent } from './link.js';
import type { Transport } from './transport.js';
import { checkOptions } from '../lib/options/checkOptions.js';
import { pollingOptionSpec } from './optionSpecs.js';

/** Options of {@link polling}. */
export interface PollingTransportOptions<In = unknown> extends TransportOptions<In>, HubListOptions {
  /** Pause between polls that brought nothing new, in ms. Default 2000. */
  interval?: number;
  /**
   * Where client → server frames are POSTed. Default: `url`. With several poll URLs, a list of
   * the same length: a session lives in one hub, so its frames go to the hub it polls.
   */
  postUrl?: string | readonly string[];
  /** A poll not answered within this many ms fails (and reconnects with backoff). Default 30000. */
  requestTimeout?: number;
  /** Default: `globalThis.fetch`, looked up when polling. */
  fetch?: FetchLike;
}

/**
 * HTTP polling: `GET url?cid=…&since=<last seq>` with `If-None-Match`, so an unchanged stream costs
 * a 304 and nothing between polls is missed. A response that brought new sequenced frames is
 * followed by another poll at once (the server may have more); otherwise the next poll waits
 * `interval`. Failed polls end the connection, and the composed `reconnect` backs off.
 * Each connection first POSTs its hello (room, token). Client → server frames are POSTed; on teardown a best-effort `bye` tells the server the session ended.
 *
 * Given several hubs (sharing one op log), a failed poll moves the session to the next one, with
 * the same `since`; `postUrl` then lists each hub's POST URL in the same order.
 *
 * @example
 * ```ts
 * const live = polling('/sync/poll', { interval: 5000, postUrl: '/sync/send' });
 * const twoHubs = polling(['https://a.example.org/poll', 'https://b.example.org/poll'], {
 *   postUrl: ['https://a.example.org/send', 'https://b.example.org/send'],
 * });
 * ```
 */
export function polling<In = unknown, Out = unknown>(url: HubUrls, options: PollingTransportOptions<In> = {}): Transport<In, Out> {
  checkOptions('polling', options, pollingOptionSpec);
  const hubs = hubList('polling', url, HTTP, options);
  const posts = postUrls('polling', options.postUrl, hubs, hubs.urls);
  const interval = options.interval ?? 2000;
  const requestTimeout = options.requestTimeout ?? 30_000;

  const connector = (context: LinkContext): Observable<LinkEvent> =>
    new Observable<LinkEvent>((subscriber) => {
      const fetchFn = resolveFetch(options.fetch);
      const url = hubs.urls[context.hub] as string;
      const postUrl = posts[context.hub] as string;
      const cid = randomId();
      const controller = new AbortController();
      let etag: string | undefined;
      let opened = false;
      let stopped = false;
      let wait: ReturnType<typeof setTimeout> | undefined;
      let requestTimer: ReturnType<typeof setTimeout> | undefined;
      const fail = (error: unknown): void => {
        if (stopped) return;
        subscriber.error(
          error instanceof RxSyncError ? error : new RxSyncError('E_CONNECTION_LOST', `Polling ${url}: request failed`, { cause: error }),
        );
      };
      const poster = createHttpPoster(fetchFn, withQuery(postUrl, { cid }), fail);

      const poll = async (): Promise<void> => {
        const before = context.cursor.lastSeq;
        const headers: Record<string, string> = etag === undefined ? {} : { 'if-none-match': etag };
        requestTimer = setTimeout(() => controller.abort(), requestTimeout);
        const response = await fetchFn(withQuery(url, { cid, since: before }), { headers, signal: controller.signal });
        const body = response.status === 304 ? '' : await response.text();
        clearTimeout(requestTimer);
        if (stopped) return;
        if (response.status !== 304 && !response.ok) {
          throw new RxSyncError('E_HTTP', `Polling ${url} answered ${response.status}`, { details: { status: response.status } });
        }
        etag = response.headers.get('etag') ?? etag;
        if (!opened) {
          opened = true;
          subscriber.next({ type: 'open', send: (wire) => poster.send(wire) });
        }
        for (const line of body.split('\n')) if (line !== '' && !stopped) subscriber.next(line);
        if (stopped) return;
        // New sequenced frames: the server may hold more, so ask again at once.
        if (context.cursor.lastSeq > before) void poll().catch(fail);
        else wait = setTimeout(() => void poll().catch(fail), interval);
      };

      // The hello (room, token) is POSTed and answered before the first poll, so a hub has
      // authenticated the session by the time it is asked for data.
      const greet = async (): Promise<void> => {
        const response = await fetchFn(withQuery(postUrl, { cid }), {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: context.hello,
          signal: controller.signal,
        });
        if (!response.ok) throw await httpError(response, `Polling ${postUrl}: hello`);
      };
      void greet()
        .then(() => (stopped ? undefined : poll()))
        .catch(fail);
      return () => {
        stopped = true;
        clearTimeout(wait);
        clearTimeout(requestTimer);
        controller.abort();
        // Without a socket the server would otherwise only notice by expiry; bye goes after the
        // frames still queued, so none of them arrives at a closed session.
        poster.close(opened ? context.bye : undefined);
      };
    });
  return createTransport<In, Out>('polling', connector, options, { reconnect: {}, heartbeat: false }, hubs);
}
