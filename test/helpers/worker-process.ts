import { spawn } from 'node:child_process';
import path from 'node:path';
import { TEST_REDIS_URL } from './services';

const ROOT = path.resolve(__dirname, '../..');

export interface WorkerProcessOptions {
  /** The test's own database. */
  databaseUrl: string;
  /** The test's own prefix: `QUEUE_PREFIX` and `CACHE_PREFIX`. */
  prefix: string;
  /** `HEALTH_PORT`. Default 0 (no endpoint). */
  healthPort?: number;
  /** More variables (`WORKER_CONCURRENCY`…); they win over the above. */
  env?: NodeJS.ProcessEnv;
}

export interface WorkerProcess {
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

/** A worker role's real entry point (`src/workers/<role>-cli.ts`) in a child process, as pm2 and compose start it, logging nothing. */
export function spawnWorkerProcess(
  role: 'error-persistence' | 'discord-log' | 'maintenance',
  options: WorkerProcessOptions,
): WorkerProcess {
  const child = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'test/helpers/ts-register.cjs'), path.join(ROOT, `src/workers/${role}-cli.ts`)],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: options.databaseUrl,
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: options.prefix,
        CACHE_PREFIX: options.prefix,
        HEALTH_PORT: String(options.healthPort ?? 0),
        LOG_LEVEL: 'silent',
        ...options.env,
      },
      stdio: 'ignore',
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { exited, kill: (signal) => child.kill(signal) };
}
