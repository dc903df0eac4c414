import { Events, type Client } from 'discord.js';
import Redis from 'ioredis';
import pino from 'pino';
import { createBotClient, type BotClientOptions } from '../../src/bot/client';
import { globLiteral, scanKeys } from '../../src/cache/scan';
import { connectDatabase } from '../../src/connect';
import type { ModdyDatabase } from '../../src/db/api';
import type { DiscordSimulator } from '../../src/simulator';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { TEST_REDIS_URL, testPrefix } from '../helpers/services';
import { RecordingTracker } from './recording-tracker';
import { TEST_CONFIG } from '../helpers/config';

/** A test database and key prefix of this file's own, the cached data API on them, and a Redis connection. */
export interface BotFixture {
  db: ModdyDatabase;
  database: TestDatabase;
  prefix: string;
  redis: Redis;
  cleanup(): Promise<void>;
}

export async function openBotFixture(label: string): Promise<BotFixture> {
  const database = await createTestDatabase();
  const prefix = testPrefix(label);
  const db = await connectDatabase({
    config: TEST_CONFIG,
    databaseUrl: database.url,
    redis: TEST_REDIS_URL,
    cachePrefix: prefix,
    poolSize: 4,
  });
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  return {
    db,
    database,
    prefix,
    redis,
    async cleanup() {
      await db.close();
      await scanKeys(redis, `${globLiteral(prefix)}:*`, async (keys) => void (await redis.unlink(...keys)));
      await redis.quit();
      await database.drop();
    },
  };
}

/** The data API with the calls of some methods recorded (the real methods still run). */
export function recordingCalls(
  db: ModdyDatabase,
  methods: readonly (keyof ModdyDatabase)[],
): { db: ModdyDatabase; calls: { method: string; args: unknown[] }[] } {
  const calls: { method: string; args: unknown[] }[] = [];
  const recorded = new Proxy(db, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (!methods.includes(property as keyof ModdyDatabase)) return method.bind(target);
      return (...args: unknown[]) => {
        // Recorded when called, before anything is awaited: a test can check right after a synchronous emit.
        calls.push({ method: String(property), args });
        return method.apply(target, args);
      };
    },
  });
  return { db: recorded, calls };
}

/** The real bot client on the fixture's database and Redis, logged in to a started simulator and ready (silent, no owners, a recording tracker unless given). */
export async function loginBotClient(
  fixture: BotFixture,
  simulator: DiscordSimulator,
  options: Partial<BotClientOptions> = {},
): Promise<Client> {
  const client = createBotClient({
    apiUrl: simulator.apiUrl,
    db: fixture.db,
    tracker: new RecordingTracker(),
    logger: pino({ level: 'silent' }),
    redis: fixture.redis,
    cachePrefix: fixture.prefix,
    ownerIds: [],
    ...options,
  });
  const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
  await client.login(simulator.options.token);
  await ready;
  return client;
}
