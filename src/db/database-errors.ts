import { QueryFailedError } from 'typeorm';
import { DatabaseTimeoutError, DatabaseUnavailableError } from '../core/moddy-error';

/** SQLSTATE classes and codes meaning "the server is unreachable, restarting or shutting down". */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** Node socket errors of a server that is down or unreachable. */
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE']);

interface DriverErrorFields {
  code?: unknown;
  message?: unknown;
}

/**
 * The typed error for a driver error that means PostgreSQL is down, unreachable or too slow
 * (`DatabaseTimeoutError`, `DatabaseUnavailableError`), with the original as `cause`; any other
 * error unchanged. The messages matched are pg's and pg-pool's own, which have no codes.
 */
export function translateDatabaseError(error: unknown): unknown {
  const driver = (error instanceof QueryFailedError ? error.driverError : error) as DriverErrorFields | null;
  if (typeof driver !== 'object' || driver === null) return error;
  const code = typeof driver.code === 'string' ? driver.code : '';
  const message = typeof driver.message === 'string' ? driver.message : '';
  if (code === '57014' || message === 'Query read timeout') {
    return new DatabaseTimeoutError(`PostgreSQL did not answer in time: ${message}`, { cause: error });
  }
  if (
    message.startsWith('timeout exceeded when trying to connect') ||
    message.startsWith('Connection terminated due to connection timeout')
  ) {
    return new DatabaseTimeoutError(`No PostgreSQL connection in time: ${message}`, { cause: error });
  }
  if (
    UNAVAILABLE_SQLSTATES.has(code) ||
    code.startsWith('08') ||
    UNAVAILABLE_ERRNOS.has(code) ||
    message.startsWith('Connection terminated') ||
    message === 'Client has encountered a connection error and is not queryable'
  ) {
    return new DatabaseUnavailableError(`PostgreSQL is unavailable: ${message || code}`, { cause: error });
  }
  return error;
}

/** Runs `work`, turning driver errors of an unavailable PostgreSQL into typed ones. */
export async function withDatabaseErrors<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw translateDatabaseError(error);
  }
}

/** As `withDatabaseErrors`, for a stream of batches. */
export async function* streamWithDatabaseErrors<T>(source: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* source;
  } catch (error) {
    throw translateDatabaseError(error);
  }
}
