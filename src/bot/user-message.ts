import {
  AttributeEntityMismatchError,
  InvalidAttributeValueError,
  InvalidErrorCodeError,
  InvalidIdError,
  UnknownAttributeError,
  ValidationError,
} from '../core/moddy-error';
import { CommandRefusedError, DiscordBusyError, InvalidPrefixError } from './command-errors';
import type { Translate } from './i18n';
import { clipText } from '../core/storable';

/** What the user typed, quoted back at most this long (an option may hold 6000 characters). */
const MAX_ECHO_LENGTH = 100;

function echo(value: unknown): string {
  return clipText(String(value), MAX_ECHO_LENGTH);
}

/**
 * The localised reply for an error the user caused (bad input, a refusal) or that only time fixes
 * (Discord too busy), or `null` for a fault
 * of ours, which goes to the error tracker instead. The one place that knows these errors.
 */
export function userMessageFor(error: unknown, t: Translate): string | null {
  if (error instanceof CommandRefusedError) return t(`refusal.${error.reason}`);
  // Not the user's fault, nor a bug: Discord holds the bot back; tracking it would flood the error log in a rate-limit storm.
  if (error instanceof DiscordBusyError) return t('error.DISCORD_BUSY');
  if (!(error instanceof ValidationError)) return null;
  if (error instanceof InvalidIdError) return t('error.INVALID_ID', { value: echo(error.value) });
  if (error instanceof UnknownAttributeError) return t('error.UNKNOWN_ATTRIBUTE', { attribute: echo(error.attribute) });
  if (error instanceof AttributeEntityMismatchError) {
    const entity = error.entityType === 'guild' ? t('entity.guild') : t('entity.user');
    return t('error.ATTRIBUTE_WRONG_ENTITY', { attribute: error.attribute, entity });
  }
  if (error instanceof InvalidAttributeValueError)
    return t('error.INVALID_ATTRIBUTE_VALUE', { attribute: error.attribute, expected: error.expected });
  if (error instanceof InvalidErrorCodeError) return t('error.INVALID_ERROR_CODE', { value: echo(error.value) });
  if (error instanceof InvalidPrefixError) return t('error.INVALID_PREFIX', { max: error.max });
  return t('error.validation');
}
