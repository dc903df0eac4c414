import pino, { type LevelWithSilent, type Logger, type TransportSingleOptions } from 'pino';
import { logRedaction } from './log-redaction';

/** How the process logs; the entry points fill it from `LOG_LEVEL`/`LOG_FORMAT` (`loggerOptions` in src/config). */
export interface LoggerOptions {
  /** Default `info`. */
  level?: LevelWithSilent;
  /** `json`: one JSON object per line (what log tools read); `pretty`: pino-pretty's coloured lines. Default `json`. */
  format?: 'json' | 'pretty';
}

/** A root logger on stdout, secrets redacted in either format (see `logRedaction`). */
export function buildLogger({ level = 'info', format = 'json' }: LoggerOptions = {}): Logger {
  return pino({ level, base: { pid: process.pid }, ...logRedaction(), transport: format === 'pretty' ? PRETTY : undefined });
}

/** Readable logs for a developer's terminal; never in production, where tools parse every line as JSON. */
const PRETTY: TransportSingleOptions = {
  target: 'pino-pretty',
  options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: false },
};

let root: Logger | undefined;

/** Makes `logger` the process logger every `createLogger` derives from (an entry point does, once configured). */
export function setRootLogger(logger: Logger): Logger {
  root = logger;
  return logger;
}

/** The process logger: the one an entry point set, else JSON lines at `info`. */
export function getLogger(): Logger {
  root ??= buildLogger();
  return root;
}

/** A child logger tagged with the component that logs. */
export function createLogger(component: string): Logger {
  return getLogger().child({ component });
}

export type { Logger };
