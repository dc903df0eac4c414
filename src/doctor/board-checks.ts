import type { Config } from '../config';
import { isLoopback } from '../board/access';
import { fail, pass, type CheckResult } from './check';

/** The board's access: both credentials or neither, and both beyond loopback. */
export function checkBoard(config: Config): CheckResult {
  const name = 'board auth';
  const user = config.BOARD_USER !== undefined;
  const password = config.BOARD_PASSWORD !== undefined;
  if (user !== password) {
    const missing = user ? 'BOARD_PASSWORD' : 'BOARD_USER';
    return fail(name, `${user ? 'BOARD_USER' : 'BOARD_PASSWORD'} is set without ${missing}`, `set ${missing} too, or unset both`);
  }
  if (user) return pass(name, `basic auth on ${config.BOARD_HOST}:${config.BOARD_PORT}`);
  return isLoopback(config.BOARD_HOST)
    ? pass(name, `no auth, loopback only (${config.BOARD_HOST}:${config.BOARD_PORT})`)
    : fail(
        name,
        `open on ${config.BOARD_HOST}, beyond loopback, without credentials`,
        'set BOARD_USER and BOARD_PASSWORD, or BOARD_HOST=127.0.0.1',
      );
}
