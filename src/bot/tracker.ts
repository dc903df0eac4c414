import type { ErrorTracker } from '../error-tracking';

export type { CaptureMeta } from '../error-tracking';

/** The part of the error tracker (`src/error-tracking/`) the bot uses: records a fault, returns its 8-character code. */
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
