import type Redis from 'ioredis';
import type { Config } from '../config';
import { redactText } from '../core/redact';
import { createRedisConnection, masterNodes, redisTargetFromConfig, type RedisTarget } from '../redis';
import { CheckFailed, checkGroup, describeError, fail, pass, type CheckResult } from './check';

/** BullMQ 5+ needs Redis 6.2 or later. */
const MIN_VERSION: readonly [number, number] = [6, 2];

/** Redis: reachable, version, `maxmemory-policy noeviction` (BullMQ), persistence on (queued jobs survive a restart). */
export function checkRedis(config: Config): Promise<CheckResult[]> {
  const target = redisTargetFromConfig(config);
  const where = describeTarget(target);
  return checkGroup('Redis', `check that Redis answers at ${where}`, async (report) => {
    const connection = createRedisConnection(target, {
      lazyConnect: true,
      connectTimeout: 5000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectionName: 'moddy-doctor',
    });
    connection.on('error', () => undefined);
    try {
      await connection.connect().catch((error: unknown) => {
        throw new CheckFailed(
          fail(
            'Redis reachable',
            `${where}: ${describeError(error)}`,
            'start Redis, or fix REDIS_URL / REDIS_SENTINELS / REDIS_CLUSTER_NODES',
          ),
        );
      });
      report(pass('Redis reachable', where));
      // Every master holds queued jobs in cluster mode: each must be set up the same way.
      for (const redis of masterNodes(connection)) await checkNode(redis, report);
    } finally {
      connection.disconnect();
    }
  });
}

/** Version, eviction policy and persistence of one master. */
async function checkNode(redis: Redis, report: (result: CheckResult) => void): Promise<void> {
  const info = parseInfo(await redis.info());
  const version = info.get('redis_version') ?? '?';
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const recent = major > MIN_VERSION[0] || (major === MIN_VERSION[0] && minor >= MIN_VERSION[1]);
  report(
    recent ? pass('Redis version', version) : fail('Redis version', version, `upgrade Redis to ${MIN_VERSION.join('.')} or later (BullMQ)`),
  );

  const policy = info.get('maxmemory_policy') ?? '?';
  report(
    policy === 'noeviction'
      ? pass('Redis maxmemory-policy', policy)
      : fail(
          'Redis maxmemory-policy',
          `${policy}: Redis may evict queued jobs and locks`,
          'set `maxmemory-policy noeviction` (redis.conf, or CONFIG SET then CONFIG REWRITE)',
        ),
  );

  const aof = info.get('aof_enabled') === '1';
  const snapshots = await saveSchedule(redis);
  const persistence = [aof ? 'append-only file' : '', snapshots ? `snapshots (save ${snapshots})` : ''].filter(Boolean).join(' + ');
  report(
    persistence
      ? pass('Redis persistence', persistence)
      : fail(
          'Redis persistence',
          'off: a restart loses every queued job',
          'set `appendonly yes` (redis.conf, or CONFIG SET appendonly yes then CONFIG REWRITE)',
        ),
  );
}

/** Where Redis is, secrets left out. */
function describeTarget(target: RedisTarget): string {
  const list = (addresses: { host: string; port: number }[]) => addresses.map(({ host, port }) => `${host}:${port}`).join(',');
  switch (target.mode) {
    case 'single':
      return redactText(target.url);
    case 'sentinel':
      return `master ${target.name} through sentinels ${list(target.sentinels)}`;
    case 'cluster':
      return `cluster ${list(target.nodes)}`;
  }
}

/** The RDB `save` schedule, or '' when off or when CONFIG is disabled (managed Redis: rely on the AOF line). */
async function saveSchedule(redis: Redis): Promise<string> {
  try {
    const [, value = ''] = (await redis.config('GET', 'save')) as string[];
    return value.trim();
  } catch {
    return '';
  }
}

function parseInfo(text: string): Map<string, string> {
  return new Map(
    text
      .split('\r\n')
      .filter((line) => line.includes(':'))
      .map((line) => {
        const at = line.indexOf(':');
        return [line.slice(0, at), line.slice(at + 1)] as [string, string];
      }),
  );
}
