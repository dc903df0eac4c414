import { InvalidArgumentError } from '../core/moddy-error';

/** A finite number within [min, max], or an `InvalidArgumentError` naming the argument. */
export function assertNumberInRange(label: string, value: unknown, min: number, max: number, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new InvalidArgumentError(`${label} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/**
 * Why PostgreSQL would refuse or alter `text` (`text`/`jsonb` hold no NUL; a lone surrogate is
 * not UTF-8 and is either refused or silently replaced), or `undefined` when it stores as is.
 */
export function unstorableReason(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character';
  if (!text.isWellFormed()) return 'contains a lone UTF-16 surrogate';
  return undefined;
}

/** A string PostgreSQL stores exactly, or an `InvalidArgumentError` naming the argument. */
export function assertStorableText(label: string, value: string): string {
  const reason = unstorableReason(value);
  if (reason !== undefined) throw new InvalidArgumentError(`${label} ${reason}`);
  return value;
}

/** A string of 1 to `maxLength` characters (after trimming) that PostgreSQL stores exactly, or an `InvalidArgumentError`. */
export function assertText(label: string, value: unknown, maxLength: number): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > maxLength) {
    throw new InvalidArgumentError(`${label} must be a non-empty string of at most ${maxLength} characters`);
  }
  return assertStorableText(label, value);
}

/** `null`/`undefined` (→ `null`), or a string of at most `maxLength` characters that PostgreSQL stores exactly. */
export function assertOptionalText(label: string, value: unknown, maxLength: number): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || value.length > maxLength) {
    throw new InvalidArgumentError(`${label} must be null or a string of at most ${maxLength} characters`);
  }
  return assertStorableText(label, value);
}

/** A plain object argument (not null, not an array), or an `InvalidArgumentError`. */
export function assertObjectArgument<T extends object>(label: string, value: T): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`${label} must be an object`);
  }
  return value;
}

/** `null`/`undefined` (→ `fallback`), or a valid `Date`. Strings are refused: PostgreSQL would parse words such as 'yesterday'. */
export function assertOptionalDate(label: string, value: unknown, fallback: Date | null): Date | null {
  if (value === null || value === undefined) return fallback;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new InvalidArgumentError(`${label} must be a valid Date or null`);
  return value;
}
