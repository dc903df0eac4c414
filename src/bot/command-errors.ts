import { ModdyError, ValidationError } from '../core/moddy-error';

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

/** Discord did not answer in time (usually: it rate-limits the bot); the user is told to try again later. */
export class DiscordBusyError extends ModdyError {
  readonly code = 'DISCORD_BUSY';

  constructor(readonly deadlineMs: number) {
    super(`Discord did not answer within ${deadlineMs} ms (rate limited or slow)`);
  }
}
