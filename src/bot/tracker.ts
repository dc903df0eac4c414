import type { JsonObject } from '../db/api';

/** Where a fault happened, stored with the error. */
export interface CaptureContext {
  userId?: string | null;
  guildId?: string | null;
  command?: string | null;
  context?: JsonObject;
}

/**
 * The part of the error tracker (`src/errors/`) the bot uses: records a fault and returns the
 * 8-character code the user can quote.
 */
export interface ErrorCapture {
  capture(error: unknown, context: CaptureContext): string | Promise<string>;
}
