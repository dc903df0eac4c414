import { REST } from '@discordjs/rest';
import { once } from 'node:events';
import Redis from 'ioredis';
import pino from 'pino';
import { UserLookup } from '../../src/bot/lookups/user-lookup';
import { DEV_TOKEN, DiscordSimulator } from '../../src/simulator';
import { TEST_REDIS_URL, testPrefix } from '../helpers/services';

const KNOWN = '1300000000000000001';
const UNKNOWN = '1300000000000000099';

describe('user lookup', () => {
  const prefix = testPrefix('bot_user_lookup');
  let simulator: DiscordSimulator;
  let rest: REST;
  let redis: Redis;

  beforeAll(async () => {
    simulator = new DiscordSimulator({ logger: pino({ level: 'silent' }), users: [{ id: KNOWN, username: 'otter', globalName: 'Otter' }] });
    await simulator.start();
    rest = new REST({ api: simulator.apiUrl, retries: 0 }).setToken(DEV_TOKEN);
    redis = new Redis(TEST_REDIS_URL);
  });

  afterAll(async () => {
    await redis.del(`${prefix}:discord:user:${KNOWN}`, `${prefix}:discord:user:${UNKNOWN}`);
    await redis.quit();
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
    await simulator.stop();
  });

  const calls = (id: string) => simulator.requests().filter((request) => request.path.endsWith(`/users/${id}`)).length;

  it('asks Discord once, then answers from Redis under the cache prefix with a short TTL', async () => {
    const lookup = new UserLookup({ redis, rest, prefix, ttlSeconds: 60 });
    const first = await lookup.lookup(KNOWN);
    expect(first).toMatchObject({
      found: true,
      source: 'discord',
      user: { id: KNOWN, username: 'otter', globalName: 'Otter', bot: false },
    });
    const second = await lookup.lookup(KNOWN);
    expect(second).toMatchObject({ found: true, source: 'cache', user: { username: 'otter' } });
    expect(calls(KNOWN)).toBe(1);
    const ttl = await redis.ttl(`${prefix}:discord:user:${KNOWN}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('remembers an unknown user for the TTL too', async () => {
    const lookup = new UserLookup({ redis, rest, prefix, ttlSeconds: 60 });
    expect(await lookup.lookup(UNKNOWN)).toMatchObject({ found: false, source: 'discord' });
    expect(await lookup.lookup(UNKNOWN)).toMatchObject({ found: false, source: 'cache' });
    expect(calls(UNKNOWN)).toBe(1);
  });

  it('still answers, from Discord, when Redis is unreachable', async () => {
    const dead = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const warnings: string[] = [];
    const lookup = new UserLookup({
      redis: dead,
      rest,
      prefix,
      logger: { warn: (_details: object, message: string) => void warnings.push(message) },
    });
    const before = calls(KNOWN);
    expect(await lookup.lookup(KNOWN)).toMatchObject({ found: true, source: 'discord' });
    expect(calls(KNOWN)).toBe(before + 1);
    expect(warnings.length).toBeGreaterThan(0);
    if (dead.status !== 'end') {
      const ended = once(dead, 'end');
      dead.disconnect();
      await ended;
    }
  });
});
