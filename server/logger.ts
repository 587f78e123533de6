/// <reference types="node" />
import { pino } from 'pino';
import type { HubSession } from './session.js';

/**
 * What the hub logs with: a pino logger fits as is (`pino()`, or a child of your app's logger), and
 * so does any object with these four methods taking a fields object and a message.
 */
export interface HubLogger {
  error(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  debug(fields: object, message?: string): void;
}

/** The levels the hub's default logger (and the CLI's `--log-level`) understand, noisiest last. */
export const LOG_LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Whether `text` names a {@link LogLevel}. */
export function isLogLevel(text: unknown): text is LogLevel {
  return typeof text === 'string' && (LOG_LEVELS as readonly string[]).includes(text);
}

/**
 * The hub's default logger: pino, JSON lines to stderr, written synchronously so the last lines
 * before an exit are not lost.
 */
export function defaultLogger(level: LogLevel = 'info'): HubLogger {
  return pino({ level, base: { name: 'rxsync-hub', pid: process.pid } }, pino.destination({ dest: 2, sync: true }));
}

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
