import type { JsonValue } from './json';

/** What replaces a character PostgreSQL cannot store (NUL, a lone surrogate). */
export const REPLACEMENT = '\uFFFD';

/** NUL, or half of a surrogate pair with no other half next to it. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `text` as PostgreSQL will store it, in `text` and in `jsonb` alike: NUL bytes (refused by both)
 * and lone surrogates (refused by `jsonb`, silently mangled by `text`) become U+FFFD.
 */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, REPLACEMENT);
}

/**
 * The first `maxUnits` UTF-16 units of `text`, never ending on half of a surrogate pair (an emoji
 * cut in two would become a lone surrogate).
 */
export function cutText(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) return text;
  const end = maxUnits > 0 && isHighSurrogate(text.charCodeAt(maxUnits - 1)) ? maxUnits - 1 : maxUnits;
  return text.slice(0, Math.max(0, end));
}

/** `cutText` marked with an ellipsis when something was cut (the result is at most `maxUnits` long). */
export function clipText(text: string, maxUnits: number): string {
  return text.length > maxUnits ? `${cutText(text, maxUnits - 1)}…` : text;
}

/** A copy of a JSON value whose every string, object keys included, is `storableText`. */
export function storableJson(value: JsonValue): JsonValue {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [storableText(key), storableJson(item)]));
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}
