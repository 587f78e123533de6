/// <reference types="node" />
import type { HubLogger } from './logger.js';
import type { PollLink } from './pollEndpoint.js';
import type { HubSession } from './session.js';

/** Ms a drain waits for polling clients to collect their drain notice: past the default poll interval (2 s). */
const POLL_NOTICE_WAIT = 3000;

/** What a drain needs from the hub. */
export interface DrainHost {
  readonly logger: HubLogger;
  now(): number;
  readonly sessions: ReadonlySet<HubSession>;
  /** Resolves once every room's queued ops are written (and acked). */
  roomsSettled(): Promise<void>;
  /** Resolves once every WebSocket that is open now has closed. */
  socketsClosed(): Promise<void>;
  /** The hub's close: cuts what is left, closes the server and the log. */
  close(): Promise<void>;
}

/**
 * A graceful shutdown, the hub already refusing new connections and new ops: commits in flight
 * finish and their acks are flushed, then every connection is closed with 1012 (`E_HUB_DRAINING`)
 * so its client reconnects elsewhere at once, then the hub closes. Each wait ends at `deadline` ms
 * from the start; past it a log that hangs is not waited for (nothing unfinished was acked).
 */
export async function drainHub(host: DrainHost, deadline: number): Promise<void> {
  const started = host.now();
  const left = (): number => Math.max(0, started + deadline - host.now());
  host.logger.info({ deadline, connections: host.sessions.size }, 'draining');
  await within(left(), host.roomsSettled());
  await within(left(), Promise.all([...host.sessions].map((session) => session.link.flushed())));
  // A polling client hears the hub only when it polls: its drain notice waits for the next poll,
  // so it moves to another hub at once instead of finding this one gone and backing off.
  const pollers = [...host.sessions].filter((session) => session.link.pulls);
  for (const session of pollers) session.error('E_HUB_DRAINING', 'The hub is restarting: reconnect');
  await within(Math.min(left(), POLL_NOTICE_WAIT), Promise.all(pollers.map((session) => (session.link as PollLink).collected())));
  for (const session of [...host.sessions]) session.fail('E_HUB_DRAINING', 'The hub is restarting: reconnect');
  // Let the close frames reach the clients before the sockets are cut.
  await within(left(), host.socketsClosed());
  await within(left(), host.close());
  host.logger.info({ ms: Math.round(host.now() - started) }, 'drained');
}

/** Waits for `work`, or `ms` at most. */
function within(ms: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    // A failure is reported where the work is done; here it only ends the wait.
    work.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
