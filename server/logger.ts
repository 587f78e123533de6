/// <reference types="node" />
import { pino } from 'pino';

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
