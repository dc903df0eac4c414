import { CachedDatabase, createCacheRedisClients, resolveCacheOptions, type CacheLogger, type CacheOptions } from '../../src/cache';
import { decodeInvalidation } from '../../src/cache/invalidation-bus';
import { globLiteral, scanKeys, unlinkKeys } from '../../src/cache/scan';
import { parseConfig } from '../../src/config';
import { createDataSource } from '../../src/db/data-source';
import { PostgresDatabase } from '../../src/db/postgres-database';
import { createRedisConnection, type RedisConnection, type RedisTargetLike } from '../../src/redis';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { eventually } from '../helpers/eventually';
export { waitFor } from '../helpers/eventually';
import { TEST_REDIS_URL, testPrefix } from '../helpers/services';

/** Collects the cache's log lines so tests can count outage warnings. */
export class RecordingLogger implements CacheLogger {
  readonly warnings: string[] = [];
  readonly infos: string[] = [];
  warn(_details: object, message: string): void {
    this.warnings.push(message);
  }
  info(_details: object, message: string): void {
    this.infos.push(message);
  }
}

export interface CacheInstance {
  db: CachedDatabase;
  inner: PostgresDatabase;
  redis: RedisConnection;
  /** The connection invalidations arrive on. */
  subscriber: RedisConnection;
  logger: RecordingLogger;
  /** Names of the commands this instance sent on its command connection. */
  commands: string[];
}

export interface OpenOptions {
  cache?: CacheOptions;
  redis?: RedisTargetLike;
  /** Where the subscriber connection goes, when not where the command connection does (`redis`). */
  subscriberRedis?: RedisTargetLike;
  /** Builds the uncached API (a subclass lets a test hold a load open). */
  inner?: (dataSource: ReturnType<typeof createDataSource>) => PostgresDatabase;
  startupTimeoutMs?: number;
}

/** One test database and one key prefix; `open()` starts a cached instance on them (another process, as far as the cache knows). */
export class CacheFixture {
  readonly prefix = testPrefix('cache');
  private readonly instances: CacheInstance[] = [];
  private admin: RedisConnection | undefined;

  private constructor(
    readonly database: TestDatabase,
    /** The Redis instances open on unless told otherwise: the shared server, or a Sentinel/Cluster deployment of the test's own. */
    readonly target: RedisTargetLike,
  ) {}

  static async create(target: RedisTargetLike = TEST_REDIS_URL): Promise<CacheFixture> {
    return new CacheFixture(await createTestDatabase(), target);
  }

  /** A plain Redis connection on `target`, for inspecting keys. */
  get redis(): RedisConnection {
    this.admin ??= createRedisConnection(this.target);
    return this.admin;
  }

  async open(options: OpenOptions = {}): Promise<CacheInstance> {
    const dataSource = createDataSource({ url: this.database.url, poolSize: 10 });
    await dataSource.initialize();
    const inner = options.inner ? options.inner(dataSource) : new PostgresDatabase(dataSource);
    const resolved = resolveCacheOptions(parseConfig({}), { prefix: this.prefix, ...options.cache });
    const { redis, subscriber: sameTargetSubscriber } = createCacheRedisClients(options.redis ?? this.target, resolved.redisTimeoutMs);
    let subscriber = sameTargetSubscriber;
    if (options.subscriberRedis !== undefined) {
      sameTargetSubscriber.disconnect();
      const elsewhere = createCacheRedisClients(options.subscriberRedis, resolved.redisTimeoutMs);
      elsewhere.redis.disconnect();
      subscriber = elsewhere.subscriber;
    }
    const commands: string[] = [];
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = ((command: Parameters<typeof send>[0], ...rest: unknown[]) => {
      commands.push(command.name);
      return (send as (...args: unknown[]) => unknown)(command, ...rest);
    }) as typeof redis.sendCommand;
    const logger = new RecordingLogger();
    const db = await new CachedDatabase({ inner, redis, subscriber, options: resolved, logger }).start(options.startupTimeoutMs ?? 2000);
    const instance = { db, inner, redis, subscriber, logger, commands };
    this.instances.push(instance);
    return instance;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.instances.map((instance) => instance.db.close()));
    await scanKeys(this.redis, `${globLiteral(this.prefix)}:*`, async (keys, node) => void (await unlinkKeys(this.redis, node, keys)));
    this.admin?.disconnect();
    await this.database.drop();
  }
}

/**
 * Runs `write` and resolves with the ms from its return to `reader` hearing the write's invalidation
 * of `key`, timed by the subscriber connection's own event (the reader applies it then): not the
 * polling, scheduling and reloading of a test's reads, which a loaded machine stretches. Only a
 * message from another process that names `key` counts: after an outage, replays of logged
 * invalidations (the reader's own among them, which it ignores) can arrive in the same window.
 */
export async function invalidationDelay(reader: CacheInstance, key: string, write: () => Promise<unknown>): Promise<number> {
  let heardAt: number | undefined;
  const heard = (_channel: string, message: string): void => {
    const { origin, entries } = decodeInvalidation(message);
    if (origin !== reader.db.invalidationOrigin && entries.includes(key)) heardAt ??= performance.now();
  };
  reader.subscriber.on('message', heard);
  try {
    await write();
    const returnedAt = performance.now();
    await eventually(() => heardAt !== undefined, 5000, 1);
    return (heardAt ?? Number.POSITIVE_INFINITY) - returnedAt;
  } finally {
    reader.subscriber.off('message', heard);
  }
}

let next = 300000000000000000n;
/** A snowflake no other test of this file used. */
export const freshId = (): string => String((next += 1n));
export const DEV = '111111111111111111';
