import { InvalidArgumentError } from '../core/errors';

/** A finite number within [min, max], or an `InvalidArgumentError` naming the argument. */
export function assertNumberInRange(label: string, value: unknown, min: number, max: number, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new InvalidArgumentError(`${label} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** A string of 1 to `maxLength` characters (after trimming), or an `InvalidArgumentError`. */
export function assertText(label: string, value: unknown, maxLength: number): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > maxLength) {
    throw new InvalidArgumentError(`${label} must be a non-empty string of at most ${maxLength} characters`);
  }
  return value;
}

/** `null`/`undefined`, or a string cut to `maxLength` characters (for free-text columns). */
export function optionalText(value: unknown, maxLength: number): string | null {
  if (value === null || value === undefined) return null;
  return String(value).slice(0, maxLength);
}
