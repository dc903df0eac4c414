import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, killServer } from './redis-process';
import { eventually } from './eventually';
import { TEST_POSTGRES_URL } from './services';

/** Debian installs it in /usr/sbin, which a non-root PATH may lack. */
const PGBOUNCER = existsSync('/usr/sbin/pgbouncer') ? '/usr/sbin/pgbouncer' : 'pgbouncer';

export interface PgBouncerOptions {
  /** Server connections per database (`default_pool_size`). Small, so clients share them. Default 4. */
  poolSize?: number;
}

export interface PgBouncer {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/<database>`: that database of the local PostgreSQL, through this PgBouncer. */
  url(database: string): string;
  /** Stops PgBouncer and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Debian's `pgbouncer` (scripts/ensure-tools.sh installs it) on a spare port, in transaction mode,
 * in front of the test PostgreSQL: every database, as user `postgres` with no password. Its ini,
 * pid and log files live in a temporary directory of its own. PgBouncer refuses to run as root:
 * then it switches to the `postgres` Unix user (`user =`), which must be able to write there.
 */
export async function startPgBouncer(options: PgBouncerOptions = {}): Promise<PgBouncer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'moddy-pgbouncer-'));
  await chmod(dir, 0o777);
  const port = await freePort();
  const server = new URL(TEST_POSTGRES_URL);
  const ini = path.join(dir, 'pgbouncer.ini');
  await writeFile(
    ini,
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || '5432'} user=postgres`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = any',
      'pool_mode = transaction',
      `default_pool_size = ${options.poolSize ?? 4}`,
      'max_client_conn = 500',
      `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
      `logfile = ${path.join(dir, 'pgbouncer.log')}`,
      ...(process.getuid?.() === 0 ? ['user = postgres'] : []),
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(PGBOUNCER, [ini], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', reject);
    void exited.then(() => reject(new Error(`pgbouncer exited at start: see ${path.join(dir, 'pgbouncer.log')}`)));
  });
  await Promise.race([eventually(() => listening(port), 10_000, 50), failed]);
  failed.catch(() => undefined);
  return {
    port,
    url(database) {
      return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`;
    },
    async stop() {
      await killServer(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
