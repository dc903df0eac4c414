import pino, { type Logger } from 'pino';
import { getConfig } from '../config';
import { logRedaction } from '../errors/log-redaction';

let root: Logger | undefined;

/** The process logger (JSON lines on stdout), at `LOG_LEVEL`, secrets redacted (see `logRedaction`). */
export function getLogger(): Logger {
  root ??= pino({ level: getConfig().LOG_LEVEL, base: { pid: process.pid }, ...logRedaction() });
  return root;
}

/** A child logger tagged with the component that logs. */
export function createLogger(component: string): Logger {
  return getLogger().child({ component });
}

export type { Logger };
