import { DataValueTooLargeError, InvalidDataPathError, InvalidDataValueError } from '../core/errors';
import type { JsonValue } from './api';

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
 * Serialises a data value after checking it is plain JSON (no undefined, functions, BigInt,
 * non-finite numbers or prototype keys) and within `maxBytes` once encoded.
 */
export function serialiseDataValue(value: unknown, maxBytes: number): string {
  assertPlainJson(value, 0);
  const json = JSON.stringify(value);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > maxBytes) throw new DataValueTooLargeError(bytes, maxBytes);
  return json;
}

const MAX_VALUE_DEPTH = 32;

function assertPlainJson(value: unknown, depth: number): asserts value is JsonValue {
  if (depth > MAX_VALUE_DEPTH) throw new InvalidDataValueError(`nested deeper than ${MAX_VALUE_DEPTH} levels`);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidDataValueError(`${value} is not a JSON number`);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) assertPlainJson(item, depth + 1);
    return;
  }
  if (typeof value === 'object') {
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      throw new InvalidDataValueError('objects must be plain objects (no Date, Map, class instances)');
    }
    for (const [key, item] of Object.entries(value)) {
      if (FORBIDDEN_KEYS.has(key)) throw new InvalidDataValueError(`forbidden key "${key}"`);
      assertPlainJson(item, depth + 1);
    }
    return;
  }
  throw new InvalidDataValueError(`${typeof value} is not JSON`);
}
