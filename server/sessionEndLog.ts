import type { HubLogger } from './logger.js';
import type { HubSession } from './session.js';

/** Codes of closes an operator may want to see: a client over a limit, too slow, or stuck, or a log failure. */
const WARN_CODES = new Set([
  'E_RATE_LIMITED',
  'E_TOO_LARGE',
  'E_SLOW_CONSUMER',
  'E_HELLO_TIMEOUT',
  'E_IDLE_TIMEOUT',
  'E_LOG_WRITE',
  'E_LOG_READ',
]);

/** One line per ended connection: `warn` when a limit or a failure ended it, else `debug`. */
export function logSessionEnd(logger: HubLogger, session: HubSession): void {
  const fields = { transport: session.link.transport, peer: session.peer, room: session.room, code: session.ended?.code };
  if (session.ended !== undefined && WARN_CODES.has(session.ended.code)) logger.warn(fields, 'connection closed by a limit');
  else logger.debug(fields, 'connection closed');
}
