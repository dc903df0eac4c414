import { ModdyError } from '../core/moddy-error';

export interface BoardCredentials {
  user: string;
  password: string;
}

/** The board would listen beyond loopback with no credentials: anyone could retry or delete jobs. */
export class BoardAuthRequiredError extends ModdyError {
  readonly code = 'BOARD_AUTH_REQUIRED';

  constructor(readonly host: string) {
    super(`The queue board listens on ${host}, beyond loopback: set BOARD_USER and BOARD_PASSWORD`);
  }
}

/** A user without a password, or the reverse: the operator meant to protect the board and half did. */
export class BoardCredentialsIncompleteError extends ModdyError {
  readonly code = 'BOARD_CREDENTIALS_INCOMPLETE';

  constructor(readonly missing: 'BOARD_USER' | 'BOARD_PASSWORD') {
    super(
      `${missing} is not set but ${missing === 'BOARD_USER' ? 'BOARD_PASSWORD' : 'BOARD_USER'} is: set both to protect the queue board (or neither, on loopback only)`,
    );
  }
}

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare) || bare === '::ffff:127.0.0.1';
}

/**
 * The credentials to require, or none (loopback only). Throws `BoardCredentialsIncompleteError`
 * for one without the other (never an open board by mistake), `BoardAuthRequiredError` when they
 * are missing but needed.
 */
export function resolveBoardAccess(host: string, user: string | undefined, password: string | undefined): BoardCredentials | undefined {
  if (user !== undefined && password !== undefined) return { user, password };
  if (user !== undefined) throw new BoardCredentialsIncompleteError('BOARD_PASSWORD');
  if (password !== undefined) throw new BoardCredentialsIncompleteError('BOARD_USER');
  if (!isLoopback(host)) throw new BoardAuthRequiredError(host);
  return undefined;
}
