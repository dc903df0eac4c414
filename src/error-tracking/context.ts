import type { JsonObject, JsonValue } from '../db/api';
import { redactSecrets } from '../core/redact';
import { isJsonObject, toJsonSafeObject } from './safe-json';
import { clipText, storableJson } from '../core/storable';

/** Default cap of a stored context, in bytes of JSON. */
export const DEFAULT_CONTEXT_MAX_BYTES = 16 * 1024;
/** Strings are shortened to this many UTF-16 units when a context is over its cap (pairs never split). */
const SHORT_STRING = 256;

/**
 * The `context` column of an error: JSON-safe (see `toJsonSafe`), storable (no NUL or lone
 * surrogate, keys included: see `storableJson`), secrets redacted, at most
 * `maxBytes` of JSON. An oversized context first has its long strings shortened; if it is still
 * too large it is replaced by `{ truncated: true, bytes, preview }`.
 */
export function sanitiseContext(context: unknown, maxBytes = DEFAULT_CONTEXT_MAX_BYTES): JsonObject {
  const safe = redactSecrets(storableJson(toJsonSafeObject(context)));
  const object = isJsonObject(safe) ? safe : { value: safe };
  const json = JSON.stringify(object);
  if (Buffer.byteLength(json) <= maxBytes) return object;
  const shortened = shortenStrings(object);
  if (isJsonObject(shortened) && Buffer.byteLength(JSON.stringify(shortened)) <= maxBytes) return { ...shortened, truncated: true };
  return previewOf(json, maxBytes);
}

/** `{ truncated, bytes, preview }` within `maxBytes` (the preview's quotes are escaped again, so shrink until it fits). */
function previewOf(json: string, maxBytes: number): JsonObject {
  let budget = maxBytes;
  for (;;) {
    const result: JsonObject = { truncated: true, bytes: Buffer.byteLength(json), preview: truncateUtf8(json, Math.max(0, budget)) };
    const overflow = Buffer.byteLength(JSON.stringify(result)) - maxBytes;
    if (overflow <= 0 || budget <= 0) return result;
    budget -= overflow;
  }
}

function shortenStrings(value: JsonValue): JsonValue {
  if (typeof value === 'string') return clipText(value, SHORT_STRING);
  if (Array.isArray(value)) return value.map(shortenStrings);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, shortenStrings(item)]));
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const buffer = Buffer.from(text);
  if (buffer.length <= maxBytes) return text;
  // Decoding drops a multi-byte character cut in half (it becomes U+FFFD, which we strip).
  return buffer
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}
