import type { RedisConnection } from '../redis';
import type { DataSource } from 'typeorm';

/** The outcome of one health check; `detail` is shown on `/ready`. */
export interface CheckResult {
  ok: boolean;
  detail?: unknown;
}

export type HealthCheck = () => Promise<CheckResult>;

/** A check that fails instead of hanging when its dependency does not answer in time. */
export function withTimeout(check: HealthCheck, timeoutMs: number): HealthCheck {
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CheckResult>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
    });
    try {
      return await Promise.race([check().catch((error: unknown) => ({ ok: false, detail: String(error) })), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}

export function postgresCheck(dataSource: DataSource): HealthCheck {
  return async () => {
    const started = performance.now();
    await dataSource.query('SELECT 1');
    return { ok: true, detail: { latencyMs: round(performance.now() - started) } };
  };
}

export function redisCheck(redis: RedisConnection): HealthCheck {
  return async () => {
    const started = performance.now();
    const answer = await redis.ping();
    return { ok: answer === 'PONG', detail: { latencyMs: round(performance.now() - started) } };
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
