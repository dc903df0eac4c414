import { DataValueTooLargeError, InvalidDataPathError, InvalidDataValueError } from '../core/moddy-error';
import type { JsonValue } from './api';
import { unstorableReason } from './validate-input';

export const MAX_PATH_DEPTH = 8;
export const MAX_PATH_LENGTH = 200;
const SEGMENT = /^[\p{L}\p{N}_-]{1,64}$/u;
/** Keys that would reach an object's prototype once the data is read back into JavaScript. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Splits and checks a dotted data path (`preferences.timezone`). */
export function parseDataPath(path: unknown): string[] {
  if (typeof path !== 'string') throw new InvalidDataPathError(path, 'must be a string');
  if (path.length === 0 || path.length > MAX_PATH_LENGTH) {
    throw new InvalidDataPathError(path, `must be 1 to ${MAX_PATH_LENGTH} characters`);
  }
  const segments = path.split('.');
  if (segments.length > MAX_PATH_DEPTH) throw new InvalidDataPathError(path, `deeper than ${MAX_PATH_DEPTH} levels`);
  for (const segment of segments) {
    if (segment.length === 0) throw new InvalidDataPathError(path, 'empty segment');
    if (FORBIDDEN_KEYS.has(segment)) throw new InvalidDataPathError(path, `forbidden segment "${segment}"`);
    if (!SEGMENT.test(segment)) {
      throw new InvalidDataPathError(path, `segment "${segment}" may hold only letters, digits, "_" and "-" (at most 64)`);
    }
  }
  return segments;
}

/**
 * Serialises a data value and checks what will be stored: plain JSON (no undefined, functions,
 * symbols, BigInt, cycles, non-finite numbers or class instances), no prototype keys, no text
 * PostgreSQL cannot hold exactly, at most `MAX_VALUE_DEPTH` deep and `maxBytes` once encoded.
 * The checks run on the serialised text parsed back, never on the caller's object: a `toJSON` or
 * a getter cannot show one value to the check and store another.
 */
export function serialiseDataValue(value: unknown, maxBytes: number): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value, refuseNonJson);
  } catch (error) {
    if (error instanceof InvalidDataValueError) throw error;
    throw new InvalidDataValueError(error instanceof Error ? error.message : 'not serialisable');
  }
  if (json === undefined) throw new InvalidDataValueError(`${typeof value} is not JSON`);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > maxBytes) throw new DataValueTooLargeError(bytes, maxBytes);
  assertStorableJson(JSON.parse(json) as JsonValue, 0);
  return json;
}

const MAX_VALUE_DEPTH = 32;

/** `JSON.stringify` replacer: refuses what JSON would silently drop or turn into something else. */
function refuseNonJson(this: unknown, key: string, value: unknown): unknown {
  // What the holder holds, read again: it differs when a `toJSON` (a Date's, say) or a getter
  // changed the value on its way to the text.
  if ((this as Record<string, unknown>)[key] !== value) throw new InvalidDataValueError(`"${key}" is not plain JSON (toJSON or a getter)`);
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidDataValueError(`${value} is not a JSON number`);
      return value;
    case 'object':
      if (value !== null && !Array.isArray(value)) {
        const prototype: unknown = Object.getPrototypeOf(value);
        if (prototype !== Object.prototype && prototype !== null) {
          throw new InvalidDataValueError('objects must be plain objects (no Date, Map, class instances)');
        }
      }
      return value;
    case 'string':
    case 'boolean':
      return value;
    default:
      throw new InvalidDataValueError(`${typeof value} is not JSON`);
  }
}

function assertStorableJson(value: JsonValue, depth: number): void {
  if (depth > MAX_VALUE_DEPTH) throw new InvalidDataValueError(`nested deeper than ${MAX_VALUE_DEPTH} levels`);
  if (typeof value === 'string') {
    assertStorableString(value, 'a string');
  } else if (Array.isArray(value)) {
    for (const item of value) assertStorableJson(item, depth + 1);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (FORBIDDEN_KEYS.has(key)) throw new InvalidDataValueError(`forbidden key "${key}"`);
      assertStorableString(key, 'a key');
      assertStorableJson(item, depth + 1);
    }
  }
}

function assertStorableString(text: string, what: string): void {
  const reason = unstorableReason(text);
  if (reason !== undefined) throw new InvalidDataValueError(`${what} ${reason}`);
}
