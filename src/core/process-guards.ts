import type { Logger } from 'pino';

/** How long a fatal error leaves the process to drain before it exits anyway. */
const FATAL_DRAIN_TIMEOUT_MS = 5000;

let drain: (() => Promise<void>) | undefined;
let installed = false;
let failing = false;

/** What a fatal error tries to run before exiting (set by `closeOnSignal`): finish jobs, close connections. */
export function setFatalDrain(close: () => Promise<void>): void {
  drain = close;
}

/**
 * One policy for every entry point, as pm2 and compose expect it: an uncaught exception or an
 * unhandled rejection is logged as fatal with its error, the process drains for at most 5 s, then
 * exits 1 so the supervisor restarts it in a known state. A second fatal error exits at once.
 */
export function installProcessGuards(logger: Pick<Logger, 'fatal' | 'error'>): void {
  if (installed) return;
  installed = true;
  const onFatal = (kind: 'uncaughtException' | 'unhandledRejection') => (error: unknown) => {
    logger.fatal({ err: error, kind }, `${kind}: exiting for the supervisor to restart`);
    if (failing) process.exit(1);
    failing = true;
    setTimeout(() => process.exit(1), FATAL_DRAIN_TIMEOUT_MS).unref();
    void Promise.resolve()
      .then(() => drain?.())
      .catch((drainError: unknown) => logger.error({ err: drainError }, 'drain after a fatal error failed'))
      .finally(() => process.exit(1));
  };
  process.on('uncaughtException', onFatal('uncaughtException'));
  process.on('unhandledRejection', onFatal('unhandledRejection'));
}
