import type { JsonValue } from '../db/api';

export const REDACTED = '[REDACTED]';

/** Keys whose values are secrets whatever they hold. */
const SECRET_KEY = /(token|passw(or)?d|secret|authori[sz]ation|api[-_]?key|cookie|credential|private[-_]?key|session[-_]?id)/i;

/** Secrets that show up inside ordinary strings (messages, URLs, headers copied into text). */
const SECRET_TEXT: readonly (readonly [RegExp, string])[] = [
  // Authorization header values: "Bot xxx", "Bearer xxx", "Basic xxx" (the scheme is kept).
  [/\b(Bot|Bearer|Basic) [A-Za-z0-9._~+/=-]{20,}/g, `$1 ${REDACTED}`],
  // Discord bot tokens: base64 user id . timestamp . hmac.
  [/\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}/g, REDACTED],
  // The password of a connection string: scheme://user:password@host.
  [/(:\/\/[^:/@\s]+:)[^@\s]+@/g, `$1${REDACTED}@`],
];

/** Replaces the secrets inside a string with `[REDACTED]`. */
export function redactText(text: string): string {
  return SECRET_TEXT.reduce((current, [pattern, replacement]) => current.replace(pattern, replacement), text);
}

/** A copy of a JSON value with secret-named keys and secret-looking strings redacted. */
export function redactSecrets(value: JsonValue): JsonValue {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value)) {
    result[key] = SECRET_KEY.test(key) && item !== null ? REDACTED : redactSecrets(item);
  }
  return result;
}
