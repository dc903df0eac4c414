import type { LoggerOptions } from '../core/logger';
import { getConfig } from './load';
import type { Config } from './schema';

/** `LOG_LEVEL`, and `LOG_FORMAT` (unset: `pretty` in development, `json` otherwise). */
export function loggerOptions(config: Config): LoggerOptions {
  return { level: config.LOG_LEVEL, format: config.LOG_FORMAT ?? (config.NODE_ENV === 'development' ? 'pretty' : 'json') };
}

/** The process configuration's logger options: what an entry point passes to `runEntryPoint`. */
export function configuredLogging(): LoggerOptions {
  return loggerOptions(getConfig());
}
