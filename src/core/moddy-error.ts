/**
 * Typed errors with stable codes. Callers branch with `instanceof` (or on `code`), never on the
 * message text, which is for humans and may change.
 */
export abstract class ModdyError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One or more environment variables are invalid. */
export class ConfigError extends ModdyError {
  readonly code = 'CONFIG_INVALID';

  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** Bad input refused before anything was read or written. */
export abstract class ValidationError extends ModdyError {}

export class InvalidIdError extends ValidationError {
  readonly code = 'INVALID_ID';

  constructor(
    readonly value: unknown,
    readonly label = 'Discord ID',
  ) {
    super(`${label} must be a snowflake string of 1 to 20 digits within 64 bits, got ${describe(value)}`);
  }
}

export class InvalidEntityTypeError extends ValidationError {
  readonly code = 'INVALID_ENTITY_TYPE';

  constructor(readonly value: unknown) {
    super(`Entity type must be 'user' or 'guild', got ${describe(value)}`);
  }
}

export class UnknownAttributeError extends ValidationError {
  readonly code = 'UNKNOWN_ATTRIBUTE';

  constructor(readonly attribute: string) {
    super(`Unknown attribute ${describe(attribute)}`);
  }
}

export class AttributeEntityMismatchError extends ValidationError {
  readonly code = 'ATTRIBUTE_WRONG_ENTITY';

  constructor(
    readonly attribute: string,
    readonly entityType: string,
  ) {
    super(`Attribute ${attribute} is not valid for a ${entityType}`);
  }
}

export class InvalidAttributeValueError extends ValidationError {
  readonly code = 'INVALID_ATTRIBUTE_VALUE';

  constructor(
    readonly attribute: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`Attribute ${attribute} expects ${expected}, got ${describe(value)}`);
  }
}

export class InvalidDataPathError extends ValidationError {
  readonly code = 'INVALID_DATA_PATH';

  constructor(
    readonly path: unknown,
    readonly reason: string,
  ) {
    super(`Invalid data path ${describe(path)}: ${reason}`);
  }
}

export class InvalidDataValueError extends ValidationError {
  readonly code = 'INVALID_DATA_VALUE';

  constructor(readonly reason: string) {
    super(`Invalid data value: ${reason}`);
  }
}

export class DataValueTooLargeError extends ValidationError {
  readonly code = 'DATA_VALUE_TOO_LARGE';

  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`Data value is ${bytes} bytes, over the limit of ${limit} bytes`);
  }
}

/** A dotted path runs through a stored value that is not an object (e.g. `a.b` where `a` is a string). */
export class DataPathConflictError extends ValidationError {
  readonly code = 'DATA_PATH_CONFLICT';

  constructor(readonly path: string) {
    super(`Data path ${path} crosses a stored value that is not an object`);
  }
}

export class InvalidErrorCodeError extends ValidationError {
  readonly code = 'INVALID_ERROR_CODE';

  constructor(readonly value: unknown) {
    super(`Error codes are 8 characters of Crockford base32, got ${describe(value)}`);
  }
}

export class InvalidArgumentError extends ValidationError {
  readonly code = 'INVALID_ARGUMENT';
}

/**
 * PostgreSQL could not be reached or did not answer in time (connection refused or lost, pool
 * wait, statement or query timeout). Nothing is known to have been written unless the caller's
 * operation is idempotent; the call may be retried later.
 */
export class DatabaseUnavailableError extends ModdyError {
  readonly code: string = 'DATABASE_UNAVAILABLE';
}

/** PostgreSQL did not answer within the configured statement or query timeout. */
export class DatabaseTimeoutError extends DatabaseUnavailableError {
  override readonly code: string = 'DATABASE_TIMEOUT';
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined) return 'undefined';
  try {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json.length > 80 ? `${json.slice(0, 80)}…` : json;
  } catch {
    return typeof value;
  }
}
