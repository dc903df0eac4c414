import pino, { type LoggerOptions } from 'pino';
import { REDACTED, isSecretKey, redactText } from './redact';

/** Keys censored by pino wherever they appear at the top of a log line or one level down (pino paths are exact-case). */
const SECRET_LOG_KEYS = [
  'password',
  'pass',
  'pwd',
  'token',
  'secret',
  'auth',
  'authorization',
  'Authorization',
  'cookie',
  'apiKey',
  'api_key',
  'accessToken',
  'refreshToken',
];

/** Nesting followed by the key redaction of a log line's object (deeper objects are logged as they are). */
const MAX_LOG_DEPTH = 4;

/**
 * The logger's share of redaction: pino's `redact` censors the usual secret keys by path; the `log`
 * formatter also censors secret keys in any case and nested (`isSecretKey`, as for stored errors)
 * and redacts strings; logged errors (`err`, causes included) and message strings go through the
 * same text redactor as stored errors (connection strings, tokens, webhook URLs, query parameters).
 */
export function logRedaction(): Pick<LoggerOptions, 'redact' | 'serializers' | 'hooks' | 'formatters'> {
  return {
    formatters: { log: (object) => redactLogObject(object, 0) },
    redact: {
      paths: [...SECRET_LOG_KEYS, ...SECRET_LOG_KEYS.map((key) => `*.${key}`), 'req.headers.authorization', 'req.headers.cookie'],
      censor: REDACTED,
    },
    serializers: { err: redactedError },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? redactText(arg) : arg)) as Parameters<typeof method>);
      },
    },
  };
}

type SerialisedError = ReturnType<typeof pino.stdSerializers.err>;

function redactedError(error: Error): SerialisedError {
  return redactSerialised(pino.stdSerializers.err(error));
}

/** Message and stack redacted, causes (serialised alongside) too. */
function redactSerialised(serialised: SerialisedError): SerialisedError {
  if (typeof serialised.message === 'string') serialised.message = redactText(serialised.message);
  if (typeof serialised.stack === 'string') serialised.stack = redactText(serialised.stack);
  const cause: unknown = serialised.cause;
  if (typeof cause === 'object' && cause !== null) redactSerialised(cause as SerialisedError);
  return serialised;
}

/** A copy (only when something changes: the caller's objects are never touched) with secrets redacted. */
function redactLogObject(object: Record<string, unknown>, depth: number): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(object)) {
    const redacted = isSecretKey(key) && value != null ? REDACTED : redactLogValue(value, depth);
    if (redacted !== value) {
      copy ??= { ...object };
      copy[key] = redacted;
    }
  }
  return copy ?? object;
}

function redactLogValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactText(value);
  if (depth >= MAX_LOG_DEPTH || typeof value !== 'object' || value === null) return value;
  const prototype: unknown = Object.getPrototypeOf(value);
  // Plain objects only: errors have their serializer, class instances their own shape.
  if (prototype !== Object.prototype && prototype !== null) return value;
  return redactLogObject(value as Record<string, unknown>, depth + 1);
}
