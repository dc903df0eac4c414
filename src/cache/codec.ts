import type { Attributes } from '../attributes/registry';
import type { CachedGuild, GuildRecord, UserRecord } from '../db/api';

/** How one kind of entry is stored: JSON in Redis, objects in the local tier (copied out so callers cannot mutate them). */
export interface Codec<T> {
  encode(value: T): string;
  decode(text: string): T;
  copy(value: T): T;
}

function datesReviver(fields: readonly string[]) {
  return (key: string, value: unknown): unknown => (typeof value === 'string' && fields.includes(key) ? new Date(value) : value);
}

function jsonCodec<T>(dateFields: readonly string[], copy: (value: T) => T): Codec<T> {
  const reviver = dateFields.length > 0 ? datesReviver(dateFields) : undefined;
  return {
    encode: (value) => JSON.stringify(value),
    decode: (text) => JSON.parse(text, reviver) as T,
    copy,
  };
}

/**
 * Copies JSON-shaped values with Dates (structuredClone would build Dates of another realm under
 * jest's VM). Every cached record read is one copy: plain loops, no entry arrays.
 */
export function deepCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map(deepCopy) as T;
  const source = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    const item = deepCopy(source[key]);
    // A "__proto__" key parsed from JSON is an own property: assigned, it would set the copy's prototype.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    else copy[key] = item;
  }
  return copy as T;
}

export const attributesCodec: Codec<Attributes> = jsonCodec<Attributes>([], (value) => ({ ...value }));

const RECORD_DATES = ['createdAt', 'updatedAt', 'deactivatedAt'];

/** `null` is a negative entry: the user or guild does not exist. */
export const userRecordCodec: Codec<UserRecord | null> = jsonCodec<UserRecord | null>(RECORD_DATES, deepCopy);
export const guildRecordCodec: Codec<GuildRecord | null> = jsonCodec<GuildRecord | null>(RECORD_DATES, deepCopy);

/** `null` is a negative entry: no `guilds_cache` row. */
export const lookupCodec: Codec<CachedGuild | null> = jsonCodec<CachedGuild | null>(['createdAt', 'lastUpdated'], deepCopy);
