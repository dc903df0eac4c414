import type { ErrorTracker } from '../errors';

export type { CaptureMeta } from '../errors';

/** The part of the error tracker (`src/errors/`) the bot uses: records a fault, returns its 8-character code. */
export type ErrorCapture = Pick<ErrorTracker, 'capture'>;
