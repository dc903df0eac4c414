import type { JsonObject, JsonValue } from '../db/api';

/** Deepest nesting kept; deeper values become a marker (a context is for reading, not a dump). */
const MAX_DEPTH = 8;

/**
 * Turns any value into plain JSON: circular references become `"[Circular]"`, BigInts strings,
 * Errors `{ name, message, stack, cause }` (causes followed), Maps/Sets objects/arrays, Dates ISO
 * strings, functions and symbols markers. Never throws (a getter that throws is reported inline).
 */
export function toJsonSafe(value: unknown): JsonValue {
  return convert(value, new WeakSet<object>(), 0);
}

/** `toJsonSafe` for a context object: anything that is not an object is wrapped as `{ value }`. */
export function toJsonSafeObject(value: unknown): JsonObject {
  const safe = toJsonSafe(value ?? {});
  return isJsonObject(safe) ? safe : { value: safe };
}

export function isJsonObject(value: JsonValue): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function convert(value: unknown, seen: WeakSet<object>, depth: number): JsonValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value.toString();
    case 'undefined':
      return null;
    case 'function':
      return `[Function ${value.name || 'anonymous'}]`;
    case 'symbol':
      return value.toString();
  }
  if (value === null) return null;
  const object = value as object;
  if (seen.has(object)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Too deep]';
  seen.add(object);
  try {
    return convertObject(object, seen, depth + 1);
  } finally {
    // Only ancestors count as circular: the same object twice side by side is kept twice.
    seen.delete(object);
  }
}

function convertObject(object: object, seen: WeakSet<object>, depth: number): JsonValue {
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
  if (Buffer.isBuffer(object)) return `[Buffer ${object.length} bytes]`;
  if (Array.isArray(object)) return object.map((item) => convert(item, seen, depth));
  if (object instanceof Map) {
    return Object.fromEntries([...object.entries()].map(([key, item]) => [String(key), convert(item, seen, depth)]));
  }
  if (object instanceof Set) return [...object].map((item) => convert(item, seen, depth));
  const result: JsonObject = {};
  if (object instanceof Error) {
    result.name = object.name;
    result.message = object.message;
    if (object.stack !== undefined) result.stack = object.stack;
    if (object.cause !== undefined) result.cause = convert(object.cause, seen, depth);
  }
  for (const key of Object.keys(object)) {
    try {
      result[key] = convert((object as Record<string, unknown>)[key], seen, depth);
    } catch (error) {
      result[key] = `[Unreadable: ${error instanceof Error ? error.message : String(error)}]`;
    }
  }
  return result;
}
