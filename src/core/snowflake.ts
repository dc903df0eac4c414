import { InvalidIdError } from './moddy-error';

/** 2^63-1, PostgreSQL's largest BIGINT, as text: compared to a 19-digit ID as text, no BigInt is built per check. */
const MAX_BIGINT_COLUMN = '9223372036854775807';

/**
 * Discord IDs are 64-bit unsigned integers, kept as strings end to end because they exceed 2^53.
 * PostgreSQL's BIGINT is signed, so the accepted range is capped at 2^63-1, which every real
 * snowflake fits (the timestamp part will not reach bit 63 before the year 2084).
 */
export function assertSnowflake(value: unknown, label = 'Discord ID'): string {
  // Canonical form: no leading zeros, so "0123" and "123" never name two rows.
  if (typeof value !== 'string' || !/^(?:0|[1-9][0-9]{0,19})$/.test(value)) throw new InvalidIdError(value, label);
  // Digits only and no leading zero: a longer ID is a larger number, and two of 19 digits compare as text.
  if (value.length === 20 || (value.length === 19 && value > MAX_BIGINT_COLUMN)) throw new InvalidIdError(value, label);
  return value;
}

export function isSnowflake(value: unknown): value is string {
  try {
    assertSnowflake(value);
    return true;
  } catch {
    return false;
  }
}

/** Discord's epoch (2015-01-01T00:00:00Z): snowflake timestamps count milliseconds from it. */
export const DISCORD_EPOCH_MS = 1_420_070_400_000;

/** When a snowflake was minted: its top 42 bits are milliseconds since Discord's epoch (2015). */
export function snowflakeDate(id: string): Date {
  return new Date(Number(BigInt(id) >> 22n) + DISCORD_EPOCH_MS);
}
