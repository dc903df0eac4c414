import {
  AttributeEntityMismatchError,
  InvalidAttributeValueError,
  InvalidEntityTypeError,
  UnknownAttributeError,
} from '../core/moddy-error';
import { ATTRIBUTES, ENTITY_TYPES, type AttributeDefinition, type AttributeName, type AttributeValue, type EntityType } from './registry';

export function assertEntityType(value: unknown): EntityType {
  if (!ENTITY_TYPES.includes(value as EntityType)) throw new InvalidEntityTypeError(value);
  return value as EntityType;
}

export function isAttributeName(name: unknown): name is AttributeName {
  return typeof name === 'string' && Object.hasOwn(ATTRIBUTES, name);
}

/** The definition of `name`, after checking it exists and applies to `entityType`. */
export function resolveAttribute(entityType: EntityType, name: unknown): { name: AttributeName; definition: AttributeDefinition } {
  if (!isAttributeName(name)) throw new UnknownAttributeError(String(name));
  const definition: AttributeDefinition = ATTRIBUTES[name];
  if (!definition.entities.includes(entityType)) throw new AttributeEntityMismatchError(name, entityType);
  return { name, definition };
}

/**
 * What `setAttribute` will store for `value`: `null` means "remove the key".
 * Boolean attributes take `true`, `false` or `null`; valued ones one of their values or `null`.
 */
export function normaliseAttributeValue(name: AttributeName, definition: AttributeDefinition, value: unknown): AttributeValue | null {
  if (value === null) return null;
  if (definition.kind === 'boolean') {
    if (typeof value !== 'boolean') throw new InvalidAttributeValueError(name, value, 'true, false or null');
    return value ? true : null;
  }
  if (typeof value !== 'string' || !definition.values.includes(value)) {
    throw new InvalidAttributeValueError(name, value, `one of ${definition.values.join(', ')} or null`);
  }
  return value;
}

/**
 * For lookups (`getUsersWithAttribute('LANG', 'FR')`): the value a query matches, or `undefined`
 * for "holds the attribute, whatever its value".
 */
export function normaliseQueryValue(name: AttributeName, definition: AttributeDefinition, value: unknown): AttributeValue | undefined {
  if (value === undefined) return undefined;
  if (definition.kind === 'boolean' && value === true) return true;
  return normaliseAttributeValue(name, definition, value) ?? throwValue(name, definition, value);
}

function throwValue(name: AttributeName, definition: AttributeDefinition, value: unknown): never {
  const expected = definition.kind === 'boolean' ? 'true or nothing' : `one of ${definition.values.join(', ')}`;
  throw new InvalidAttributeValueError(name, value, expected);
}
