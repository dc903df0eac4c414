import {
  AttributeEntityMismatchError,
  InvalidAttributeValueError,
  InvalidErrorCodeError,
  InvalidIdError,
  UnknownAttributeError,
  ValidationError,
} from '../core/errors';
import { CommandRefusedError, InvalidPrefixError } from './errors';
import type { Translate } from './i18n';

/**
 * The localised reply for an error the user caused (bad input, a refusal), or `null` for a fault
 * of ours, which goes to the error tracker instead. The one place that knows these errors.
 */
export function userMessageFor(error: unknown, t: Translate): string | null {
  if (error instanceof CommandRefusedError) return t(`refusal.${error.reason}`);
  if (!(error instanceof ValidationError)) return null;
  if (error instanceof InvalidIdError) return t('error.INVALID_ID', { value: String(error.value) });
  if (error instanceof UnknownAttributeError) return t('error.UNKNOWN_ATTRIBUTE', { attribute: error.attribute });
  if (error instanceof AttributeEntityMismatchError) {
    const entity = error.entityType === 'guild' ? t('entity.guild') : t('entity.user');
    return t('error.ATTRIBUTE_WRONG_ENTITY', { attribute: error.attribute, entity });
  }
  if (error instanceof InvalidAttributeValueError) return t('error.INVALID_ATTRIBUTE_VALUE', { attribute: error.attribute, expected: error.expected });
  if (error instanceof InvalidErrorCodeError) return t('error.INVALID_ERROR_CODE', { value: String(error.value) });
  if (error instanceof InvalidPrefixError) return t('error.INVALID_PREFIX', { max: error.max });
  return t('error.validation');
}
