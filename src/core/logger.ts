import pino, { type Logger } from 'pino';
import { getConfig } from '../config';

let root: Logger | undefined;

/** The process logger (JSON lines on stdout), at `LOG_LEVEL`. */
export function getLogger(): Logger {
  root ??= pino({ level: getConfig().LOG_LEVEL, base: { pid: process.pid } });
  return root;
}

/** A child logger tagged with the component that logs. */
export function createLogger(component: string): Logger {
  return getLogger().child({ component });
}

export type { Logger };
