import type { ErrorTracker } from '../errors';

export type { CaptureMeta } from '../errors';

/** The part of the error tracker (`src/errors/`) the bot uses: records a fault, returns its 8-character code. */
export type ErrorCapture = Pick<ErrorTracker, 'capture'>;

/** `tracker` counting each capture on `counter` (`moddy_errors_captured_total`). */
export function countCaptures(tracker: ErrorCapture, counter: { inc(): void }): ErrorCapture {
  return {
    capture(error, meta) {
      counter.inc();
      return tracker.capture(error, meta);
    },
  };
}
