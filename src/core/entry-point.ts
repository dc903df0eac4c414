import pino from 'pino';
import { ModdyError } from './moddy-error';
import { loadEnvFile } from './env-file';
import { buildLogger, setRootLogger, type Logger, type LoggerOptions } from './logger';
import { installProcessGuards } from './process-guards';

/**
 * The start of every process entry point: loads `.env` (the shell wins), installs the shared
 * fatal-error policy, then runs `main`. A failed start is logged as fatal and exits 1.
 * `logging` is read once `.env` is loaded (`configuredLogging`: the process configuration) and
 * makes the process root logger. Default: `LoggerOptions`' defaults. When it throws (an invalid
 * configuration) the logger falls back to plain JSON at `info`, so `main` still reports the
 * configuration error (reading the configuration throws it) in full.
 */
export function runEntryPoint(component: string, main: (logger: Logger) => Promise<void>, logging: () => LoggerOptions = () => ({})): void {
  loadEnvFile();
  let logger: Logger;
  try {
    logger = setRootLogger(buildLogger(logging())).child({ component });
  } catch {
    logger = pino({ base: { pid: process.pid } }).child({ component });
  }
  installProcessGuards(logger);
  main(logger).catch((error: unknown) => {
    // Typed errors (bad configuration, a missing token…) carry their whole message; others their stack.
    if (error instanceof ModdyError) logger.fatal({ code: error.code }, `${component} failed to start: ${error.message}`);
    else logger.fatal({ err: error }, `${component} failed to start`);
    // Also on stderr, plain: seen even with LOG_LEVEL=silent, in pm2's error log and `docker logs`.
    process.stderr.write(`${component} failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

/** Tells pm2 (`wait_ready`) this process is really ready: `pm2 reload` waits for it. No-op without a supervisor's IPC. */
export function signalReady(): void {
  if (process.send && process.connected) process.send('ready');
}
