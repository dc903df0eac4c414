import { ModdyError, ValidationError } from '../core/errors';

/** Why the dispatcher (or a command) refused to run something; each has its `refusal.*` message. */
export type RefusalReason = 'blacklisted' | 'guildOnly' | 'manageGuild' | 'developer';

/** A refusal the user is told about in their language: not a fault, never sent to the error tracker. */
export class CommandRefusedError extends ModdyError {
  readonly code = 'COMMAND_REFUSED';

  constructor(readonly reason: RefusalReason) {
    super(`Command refused: ${reason}`);
  }
}

export const PREFIX_MAX_LENGTH = 5;

export class InvalidPrefixError extends ValidationError {
  readonly code = 'INVALID_PREFIX';
  readonly max = PREFIX_MAX_LENGTH;

  constructor(readonly value: string) {
    super(`A prefix is 1 to ${PREFIX_MAX_LENGTH} characters without whitespace, got ${JSON.stringify(value)}`);
  }
}
