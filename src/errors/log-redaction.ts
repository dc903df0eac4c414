import pino, { type LoggerOptions } from 'pino';
import { REDACTED, redactText } from './redact';

/** Keys censored by pino wherever they appear at the top of a log line or one level down (pino paths are exact-case). */
const SECRET_LOG_KEYS = ['password', 'pass', 'pwd', 'token', 'secret', 'auth', 'authorization', 'Authorization', 'cookie', 'apiKey', 'api_key', 'accessToken', 'refreshToken'];

/**
 * The logger's share of redaction: pino's `redact` censors secret keys; logged errors (`err`) and
 * message strings go through the same text redactor as stored errors (connection strings, tokens,
 * webhook URLs, secret query parameters).
 */
export function logRedaction(): Pick<LoggerOptions, 'redact' | 'serializers' | 'hooks'> {
  return {
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
