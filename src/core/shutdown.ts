import type { Logger } from 'pino';
import { setFatalDrain } from './process-guards';

/**
 * On SIGINT/SIGTERM: runs `close` once (workers finish their active jobs, connections close) and
 * exits 0, or 1 if closing failed. A second signal exits at once. `close` is also what a fatal
 * error drains before exiting (process-guards.ts).
 */
export function closeOnSignal(close: () => Promise<void>, logger: Pick<Logger, 'info' | 'error'>): void {
  setFatalDrain(close);
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      logger.error({ signal }, 'second signal: exiting without draining');
      process.exit(1);
    }
    closing = true;
    logger.info({ signal }, 'draining before exit');
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
