/// <reference types="node" />
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseDecimal } from './decimal.js';
import type { EndpointHost } from './endpointHost.js';
import { answer } from './httpBody.js';
import type { ResolvedLimits } from './limits.js';
import type { Link } from './link.js';
import { PAGE } from './room.js';
import { TokenBucket } from './tokenBucket.js';

/** A polling connection: connection-scoped frames wait here, each with its place in the sequence. */
export interface PollLink extends Link {
  /** Frames not yet polled; `at` is the room seq they come after. */
  readonly pending: { readonly wire: string; readonly at: number }[];
  /** Set by the hub: the session's position, so queued frames keep their order among the ops. */
  position: () => number;
  /** Polls this session may make: a bucket of the frame rate's size, apart from its POSTed frames. */
  readonly polls: TokenBucket;
  /** Resolves once every queued frame was taken by a poll (or the link ended). */
  collected(): Promise<void>;
}

/** Creates the link of a polling session (its frames are collected by `GET /poll`). */
export function pollLink(limits: ResolvedLimits, now: number): PollLink {
  let bytes = 0;
  const pending: { wire: string; at: number }[] = [];
  let waiters: (() => void)[] = [];
  const wake = (): void => {
    if (pending.length > 0) return;
    const woken = waiters;
    waiters = [];
    for (const resolve of woken) resolve();
  };
  const link: PollLink = {
    transport: 'poll',
    pulls: true,
    pending,
    position: () => 0,
    polls: new TokenBucket(limits.messagesPerSecond, limits.messageBurst, now),
    write(wire, seq) {
      // Sequenced frames are read from the log by each poll; only the rest is queued.
      if (seq !== undefined) return;
      const text = typeof wire === 'string' ? wire : Buffer.from(wire).toString('utf8');
      pending.push({ wire: text, at: link.position() });
      bytes += text.length;
    },
    flushed: () => Promise.resolve(),
    collected: () => (pending.length === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    buffered: () => bytes,
    end: () => {
      pending.length = 0;
      bytes = 0;
      wake();
    },
  };
  const take = (count: number): string[] => {
    const taken = pending.splice(0, count);
    for (const { wire } of taken) bytes -= wire.length;
    wake();
    return taken.map((p) => p.wire);
  };
  return Object.assign(link, { take });
}

function isPollLink(link: Link): link is PollLink & { take(count: number): string[] } {
  return link.transport === 'poll';
}

/**
 * `GET /poll?cid=<id>&since=<seq>`: the ops after `since` (read from the room's log, at most a
 * page) interleaved in order with the frames queued for this connection, one per line. Nothing new
 * and a matching `If-None-Match` → 304. Each poll counts as activity for the presence timeout.
 */
export async function servePoll(
  host: EndpointHost,
  request: IncomingMessage,
  response: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const session = host.byCid(query.get('cid') ?? '');
  if (session === undefined || !isPollLink(session.link)) {
    return answer(response, 404, { code: 'E_SESSION_UNKNOWN', message: 'No polling session with this cid: send a hello first' });
  }
  const room = host.roomOf(session);
  if (session.state !== 'live' || room === undefined) {
    return answer(response, 409, { code: 'E_HELLO_REQUIRED', message: 'The hello of this session has not been answered yet' });
  }
  const now = performance.now();
  session.lastInbound = Math.max(session.lastInbound, now);
  const since = parseDecimal(query.get('since'));
  if (since === undefined) {
    host.metrics.rejects.inc({ code: 'E_FRAME_INVALID' });
    return answer(response, 400, { code: 'E_FRAME_INVALID', message: 'since must be a non-negative integer in decimal digits' });
  }
  // Over the poll rate: the poll is refused, the session stays (a poll changes nothing; the next one catches up).
  if (!session.link.polls.take(now)) {
    host.metrics.rejects.inc({ code: 'E_RATE_LIMITED' });
    const message = `More than ${host.limits.messagesPerSecond} polls per second`;
    return answer(response, 429, { code: 'E_RATE_LIMITED', message }, session.link.polls.wait(now));
  }
  const from = Math.max(since, session.floor);
  const ops = await room.opsAfter(from, PAGE);
  const link = session.link;
  const lines: string[] = [];
  let queued = 0;
  const upTo = (position: number): void => {
    while (queued < link.pending.length && (link.pending[queued] as { at: number }).at <= position) {
      lines.push((link.pending[queued] as { wire: string }).wire);
      queued++;
    }
  };
  let position = from;
  upTo(position);
  for (const op of ops) {
    upTo(op.seq - 1);
    lines.push(op.wire);
    position = op.seq;
  }
  upTo(position);
  link.take(queued);
  const etag = `"${room.head}"`;
  if (lines.length === 0 && request.headers['if-none-match'] === etag) {
    response.writeHead(304, { etag }).end();
    return;
  }
  response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache', etag });
  response.end(lines.join('\n'));
}
