import type { JsonValue } from './json';

export const REDACTED = '[REDACTED]';

/**
 * Key names whose values are secrets whatever they hold, anywhere in the key (`accessToken`,
 * `DB_PASSWORD`, `set-cookie`, `x-api-key`).
 */
const SECRET_KEY_PART =
  /(token|passw(or)?d|passphrase|pwd|secret|authori[sz]ation|api[-_]?key|cookie|credential|private[-_]?key|session[-_]?id)/i;
/** Short words that name a secret only as a whole word of the key (`pass`, `x-auth`, but not `passengers` or `author`). */
const SECRET_KEY_WORDS = new Set(['pass', 'auth', 'dsn']);

/** Secrets that show up inside ordinary strings (messages, URLs, headers copied into text). */
const SECRET_TEXT: readonly (readonly [RegExp, string])[] = [
  // Authorization header values: "Bot xxx", "Bearer xxx", "Basic xxx" (the scheme is kept).
  [/\b(Bot|Bearer|Basic) [A-Za-z0-9._~+/=-]{20,}/g, `$1 ${REDACTED}`],
  // Discord bot tokens: base64 user id . timestamp . hmac.
  [/\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}/g, REDACTED],
  // The password of a connection string, scheme://user:password@host: the user may be empty
  // (`redis://:pw@host`) and the password may hold a raw `@` (it runs to the last `@` before the host).
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^\s/?#]*@/gi, `$1${REDACTED}@`],
  // Webhook and interaction tokens in Discord URL paths: /webhooks/<id>/<token>, /interactions/<id>/<token>.
  [/(\/(?:webhooks|interactions)\/\d{15,25}\/)[A-Za-z0-9._~-]+/gi, `$1${REDACTED}`],
  // Query-string parameters that carry secrets: ?password=…, &access_token=…, ?secret=…, ?api_key=….
  [
    /([?&;](?:[^=&#\s]*[-_.])?(?:token|access[-_]?token|passw(?:or)?d|pwd|pass|secret|auth|api[-_]?key|key|signature|sig)=)[^&#\s]*/gi,
    `$1${REDACTED}`,
  ],
  // key=value pairs in free text, libpq keyword strings included: "host=db password=hunter2", "token=abc".
  [/(\b(?:password|passwd|pwd|token|secret|api[-_]?key)\s*=\s*)(?!\[REDACTED\])[^\s&;,]+/gi, `$1${REDACTED}`],
];

/** Replaces the secrets inside a string with `[REDACTED]` (connection strings included). */
export function redactText(text: string): string {
  return SECRET_TEXT.reduce((current, [pattern, replacement]) => current.replace(pattern, replacement), text);
}

/** True when a value stored under `key` is a secret (case-insensitive, camelCase/snake/kebab words). */
export function isSecretKey(key: string): boolean {
  if (SECRET_KEY_PART.test(key)) return true;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((word) => SECRET_KEY_WORDS.has(word));
}

/** A copy of a JSON value with secret-named keys (at any depth) and secret-looking strings redacted. */
export function redactSecrets(value: JsonValue): JsonValue {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value)) {
    result[key] = isSecretKey(key) && item !== null ? REDACTED : redactSecrets(item);
  }
  return result;
}
