import { InvalidIdError } from './moddy-error';

const MAX_BIGINT_COLUMN = 9223372036854775807n;

/**
 * Discord IDs are 64-bit unsigned integers, kept as strings end to end because they exceed 2^53.
 * PostgreSQL's BIGINT is signed, so the accepted range is capped at 2^63-1, which every real
 * snowflake fits (the timestamp part will not reach bit 63 before the year 2084).
 */
export function assertSnowflake(value: unknown, label = 'Discord ID'): string {
  if (typeof value !== 'string' || !/^[0-9]{1,20}$/.test(value)) throw new InvalidIdError(value, label);
  if (BigInt(value) > MAX_BIGINT_COLUMN) throw new InvalidIdError(value, label);
  // Canonical form: no leading zeros, so "0123" and "123" never name two rows.
  if (value.length > 1 && value.startsWith('0')) throw new InvalidIdError(value, label);
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
