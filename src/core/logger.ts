import pino, { type Logger, type TransportSingleOptions } from 'pino';
import { getConfig, type Config } from '../config';
import { logRedaction } from '../error-tracking/log-redaction';

let root: Logger | undefined;

/**
 * The process logger on stdout at `LOG_LEVEL`: JSON lines, or pino-pretty's coloured lines
 * (`LOG_FORMAT`), secrets redacted either way (see `logRedaction`).
 */
export function getLogger(): Logger {
  const config = getConfig();
  root ??= pino({ level: config.LOG_LEVEL, base: { pid: process.pid }, ...logRedaction(), transport: prettyTransport(config) });
  return root;
}

/** Readable logs for a developer's terminal; never in production, where tools parse every line as JSON. */
function prettyTransport(config: Config): TransportSingleOptions | undefined {
  const format = config.LOG_FORMAT ?? (config.NODE_ENV === 'development' ? 'pretty' : 'json');
  if (format === 'json') return undefined;
  return { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: false } };
}

/** A child logger tagged with the component that logs. */
export function createLogger(component: string): Logger {
  return getLogger().child({ component });
}

export type { Logger };
