import Redis from 'ioredis';
import { InvalidIdError, UnknownAttributeError } from '../../src/core/moddy-error';
import { CacheFixture, DEV, freshId, invalidationDelay, waitFor, type CacheInstance } from '../helpers/cache-fixture';
import { TcpProxy } from '../helpers/redis-process';
import { TEST_REDIS_URL } from '../helpers/services';

let f: CacheFixture;
let a: CacheInstance;
/** Local tier off: every read goes to Redis. */
let redisOnly: CacheInstance;

beforeAll(async () => {
  f = await CacheFixture.create();
  // These tests count loads: a Redis command slowed past the 100 ms default by a busy CI machine
  // would open the breaker and send reads to PostgreSQL. Outages are outage.test.ts's subject.
  a = await f.open({ cache: { attributesTtlSeconds: 300, recordsTtlSeconds: 120, lookupsTtlSeconds: 3600, redisTimeoutMs: 2000 } });
  redisOnly = await f.open({ cache: { localMaxEntries: 0, redisTimeoutMs: 2000 } });
});
afterAll(async () => {
  await f.cleanup();
});

const loads = (instance: CacheInstance): number => instance.db.getCacheStats().database.loads;

describe('read-through', () => {
  it('loads once from PostgreSQL, then answers from the local tier, under a namespaced key with its TTL', async () => {
    const id = freshId();
    await a.db.setAttribute('user', id, 'LANG', 'FR', DEV, 'setup');
    const before = loads(a);
    expect(await a.db.getAttribute('user', id, 'LANG')).toBe('FR');
    expect(await a.db.hasAttribute('user', id, 'BETA')).toBe(false);
    expect(await a.db.getAttributes('user', id)).toEqual({ LANG: 'FR' });
    expect(loads(a) - before).toBe(1);
    expect(a.db.getCacheStats().local.hits).toBeGreaterThanOrEqual(2);

    const key = `${f.prefix}:v2:attrs:user:${id}`;
    expect(JSON.parse((await f.redis.get(key)) ?? 'null')).toEqual({ LANG: 'FR' });
    const ttl = await f.redis.pttl(key);
    expect(ttl).toBeGreaterThan(290_000);
    expect(ttl).toBeLessThanOrEqual(300_000);
  });

  it('serves another process from Redis without touching PostgreSQL', async () => {
    const id = freshId();
    await a.db.setAttribute('user', id, 'BETA', true, DEV, 'setup');
    expect(await a.db.hasAttribute('user', id, 'BETA')).toBe(true);
    const before = loads(redisOnly);
    const hitsBefore = redisOnly.db.getCacheStats().redis.hits;
    expect(await redisOnly.db.hasAttribute('user', id, 'BETA')).toBe(true);
    expect(await redisOnly.db.hasAttribute('user', id, 'BETA')).toBe(true);
    expect(loads(redisOnly)).toBe(before);
    expect(redisOnly.db.getCacheStats().redis.hits - hitsBefore).toBe(2);
  });

  it('caches records and guild lookups under their own TTLs, dates intact', async () => {
    const id = freshId();
    await a.db.ensureUser(id);
    await a.db.updateUserData(id, 'preferences.timezone', 'Europe/Paris');
    const user = await redisOnly.db.getUser(id);
    expect(user?.data).toEqual({ preferences: { timezone: 'Europe/Paris' } });
    const cached = await redisOnly.db.getUser(id);
    expect(cached?.createdAt).toBeInstanceOf(Date);
    expect(cached).toEqual(user);
    const recordTtl = await f.redis.pttl(`${f.prefix}:v2:record:user:${id}`);
    expect(recordTtl).toBeGreaterThan(100_000);
    expect(recordTtl).toBeLessThanOrEqual(120_000);

    const guildId = freshId();
    await a.db.upsertCachedGuild({ guildId, name: 'Lookup', updateSource: 'bot_join' });
    const lookup = await redisOnly.db.getCachedGuild(guildId);
    expect(lookup?.name).toBe('Lookup');
    expect(lookup?.lastUpdated).toBeInstanceOf(Date);
    expect(await f.redis.pttl(`${f.prefix}:v2:lookup:guild:${guildId}`)).toBeGreaterThan(3_500_000);
  });

  it('hands out copies: mutating a result does not change the cache', async () => {
    const id = freshId();
    await a.db.setAttribute('user', id, 'LANG', 'EN', DEV, 'setup');
    await a.db.updateUserData(id, 'x', 1);
    const attributes = await a.db.getAttributes('user', id);
    attributes.LANG = 'FR';
    const record = await a.db.getUser(id);
    if (record) (record.data as { x: number }).x = 2;
    expect(await a.db.getAttributes('user', id)).toEqual({ LANG: 'EN' });
    expect((await a.db.getUser(id))?.data).toEqual({ x: 1 });
  });

  it('refuses bad input before reading any tier, with the same errors as the uncached API', async () => {
    const before = a.db.getCacheStats();
    await expect(a.db.hasAttribute('user', '12ab', 'BETA')).rejects.toBeInstanceOf(InvalidIdError);
    await expect(a.db.hasAttribute('user', freshId(), 'NOPE')).rejects.toBeInstanceOf(UnknownAttributeError);
    await expect(a.db.getInteractionAttributes(freshId(), 'x')).rejects.toBeInstanceOf(InvalidIdError);
    expect(a.db.getCacheStats()).toEqual(before);
  });
});

describe('negative entries', () => {
  it('a flood of checks on never-seen users reaches PostgreSQL once per user', async () => {
    const ids = Array.from({ length: 200 }, freshId);
    const before = loads(redisOnly);
    for (let round = 0; round < 3; round += 1) {
      const answers = await Promise.all(ids.map((id) => redisOnly.db.hasAttribute('user', id, 'BLACKLISTED')));
      expect(answers.every((answer) => answer === false)).toBe(true);
    }
    expect(loads(redisOnly) - before).toBe(200);
  });

  it('an absent guild record is cached as absent, and creating the guild replaces it', async () => {
    const id = freshId();
    const before = loads(a);
    expect(await a.db.getGuild(id)).toBeNull();
    expect(await a.db.getGuild(id)).toBeNull();
    expect(await redisOnly.db.getGuild(id)).toBeNull();
    expect(loads(a) - before).toBe(1);
    expect(await f.redis.get(`${f.prefix}:v2:record:guild:${id}`)).toBe('null');

    expect(await a.db.ensureGuild(id)).toBe(true);
    expect((await a.db.getGuild(id))?.guildId).toBe(id);
    expect((await redisOnly.db.getGuild(id))?.guildId).toBe(id);
  });

  it('an absent user record is cached in no tier, so a user created elsewhere is read at once', async () => {
    const id = freshId();
    const before = loads(a);
    expect(await a.db.getUser(id)).toBeNull();
    expect(await a.db.getUser(id)).toBeNull();
    expect(loads(a) - before).toBe(2);
    expect(await f.redis.exists(`${f.prefix}:v2:record:user:${id}`)).toBe(0);

    // Created through the other instance: no invalidation is needed for this one to see it.
    expect(await redisOnly.db.ensureUser(id)).toBe(true);
    expect((await a.db.getUser(id))?.userId).toBe(id);
    expect(loads(a) - before).toBe(3);
    // Then cached as any record.
    expect((await a.db.getUser(id))?.userId).toBe(id);
    expect(loads(a) - before).toBe(3);
  });

  it('an absent user record left in Redis by an earlier version is a miss', async () => {
    const id = freshId();
    await a.db.ensureUser(id);
    const key = `${f.prefix}:v2:record:user:${id}`;
    await f.redis.set(key, 'null', 'PX', 60_000);
    const misses = redisOnly.db.getCacheStats().redis.misses;
    expect((await redisOnly.db.getUser(id))?.userId).toBe(id);
    expect(redisOnly.db.getCacheStats().redis.misses - misses).toBe(1);
    expect(JSON.parse((await f.redis.get(key)) ?? 'null')).toMatchObject({ userId: id });
  });
});

describe('getInteractionAttributes', () => {
  it('costs one Redis command when the local tier misses, and one PostgreSQL read when Redis misses too', async () => {
    const user = freshId();
    const guild = freshId();
    await a.db.setAttribute('user', user, 'BLACKLISTED', true, DEV, 'spam');
    await a.db.setAttribute('guild', guild, 'LANG', 'EN', DEV, 'setup');

    const before = loads(redisOnly);
    expect(await redisOnly.db.getInteractionAttributes(user, guild)).toEqual({ user: { BLACKLISTED: true }, guild: { LANG: 'EN' } });
    expect(loads(redisOnly) - before).toBe(1);

    redisOnly.commands.length = 0;
    expect(await redisOnly.db.getInteractionAttributes(user, guild)).toEqual({ user: { BLACKLISTED: true }, guild: { LANG: 'EN' } });
    expect(redisOnly.commands).toEqual(['mget']);
    expect(loads(redisOnly) - before).toBe(1);
  });

  it('reads only the user outside a guild, and fills the entries the other reads use', async () => {
    const user = freshId();
    expect(await a.db.getInteractionAttributes(user, null)).toEqual({ user: {}, guild: null });
    const guild = freshId();
    await a.db.getInteractionAttributes(user, guild);
    const before = loads(a);
    expect(await a.db.hasAttribute('guild', guild, 'PREMIUM_GUILD')).toBe(false);
    expect(await a.db.getAttributes('user', user)).toEqual({});
    expect(loads(a)).toBe(before);
  });
});

describe('single flight', () => {
  it('1,000 concurrent checks of a cold key cause exactly one PostgreSQL read', async () => {
    const id = freshId();
    await a.db.setAttribute('user', id, 'BETA', true, DEV, 'setup');
    for (const instance of [a, redisOnly]) {
      await f.redis.unlink(`${f.prefix}:v2:attrs:user:${id}`);
      const other = freshId();
      const before = loads(instance);
      const answers = await Promise.all(
        Array.from({ length: 1000 }, (_, i) => instance.db.hasAttribute('user', i % 2 === 0 ? id : other, 'BETA')),
      );
      expect(answers.filter(Boolean)).toHaveLength(500);
      expect(loads(instance) - before).toBe(2);
    }
  });
});

describe('writes', () => {
  it('every write is visible to the next read of the writing process', async () => {
    const id = freshId();
    expect(await a.db.getUser(id)).toBeNull();
    expect(await a.db.hasAttribute('user', id, 'PREMIUM')).toBe(false);

    await a.db.setAttribute('user', id, 'PREMIUM', true, DEV, 'bought');
    expect(await a.db.hasAttribute('user', id, 'PREMIUM')).toBe(true);
    expect((await a.db.getUser(id))?.attributes).toEqual({ PREMIUM: true });

    await a.db.updateUserData(id, 'profile.bio', 'hi');
    expect((await a.db.getUser(id))?.data).toEqual({ profile: { bio: 'hi' } });

    expect(await a.db.deactivateUser(id)).toBe(true);
    expect((await a.db.getUser(id))?.deactivatedAt).toBeInstanceOf(Date);

    expect(await a.db.ensureUser(id)).toBe(false);
    expect((await a.db.getUser(id))?.deactivatedAt).toBeNull();

    const guild = freshId();
    expect(await a.db.getGuild(guild)).toBeNull();
    await a.db.ensureGuild(guild);
    await a.db.updateGuildData(guild, 'settings.prefix', '!');
    expect((await a.db.getGuild(guild))?.data).toEqual({ settings: { prefix: '!' } });
  });

  it('ensureUser on an active user writes nothing to the cache', async () => {
    const id = freshId();
    await a.db.ensureUser(id);
    await a.db.getUser(id);
    const before = a.db.getCacheStats().redis.invalidations;
    expect(await a.db.ensureUser(id)).toBe(false);
    expect(a.db.getCacheStats().redis.invalidations).toBe(before);
  });
});

describe('guild lookups', () => {
  it('keep the 7-day freshness rule on top of the Redis TTL', async () => {
    const guildId = freshId();
    await a.db.upsertCachedGuild({ guildId, name: 'Old', updateSource: 'api_call' });
    await a.inner.dataSource.query(`UPDATE guilds_cache SET last_updated = now() - interval '8 days' WHERE guild_id = $1`, [guildId]);
    await f.redis.unlink(`${f.prefix}:v2:lookup:guild:${guildId}`);

    const before = loads(redisOnly);
    expect((await redisOnly.db.getCachedGuild(guildId, 30))?.name).toBe('Old');
    expect(await redisOnly.db.getCachedGuild(guildId)).toBeNull();
    expect(await redisOnly.db.getCachedGuild(guildId, 7)).toBeNull();
    expect(loads(redisOnly) - before).toBe(1);

    await a.db.upsertCachedGuild({ guildId, name: 'Fresh', updateSource: 'api_call' });
    expect((await redisOnly.db.getCachedGuild(guildId))?.name).toBe('Fresh');
  });

  it('a cleanup of guilds_cache drops the cached lookups', async () => {
    const guildId = freshId();
    await a.db.upsertCachedGuild({ guildId, name: 'Gone', updateSource: 'api_call' });
    expect((await a.db.getCachedGuild(guildId))?.name).toBe('Gone');
    expect(await a.db.cleanupGuildsCache(0)).toBeGreaterThan(0);
    expect(await a.db.getCachedGuild(guildId)).toBeNull();
    expect(await redisOnly.db.getCachedGuild(guildId)).toBeNull();
  });
});

describe('reading ahead of the local lifetime', () => {
  const LOCAL_MAX_AGE_MS = 400;
  const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  it('keeps a key in use local: a hit in the second half of its life reads Redis again in the background', async () => {
    const id = freshId();
    // Written before the reader starts: its invalidation cannot mark the reader's first load stale.
    await a.db.setAttribute('user', id, 'LANG', 'FR', DEV, 'setup');
    const reader = await f.open({ cache: { localMaxAgeMs: LOCAL_MAX_AGE_MS, redisTimeoutMs: 2000 } });
    expect(await reader.db.getAttribute('user', id, 'LANG')).toBe('FR');
    const stored = performance.now();
    const before = reader.db.getCacheStats();
    expect(before.local.loads).toBe(1);
    await wait(LOCAL_MAX_AGE_MS / 2);
    expect(await reader.db.getAttribute('user', id, 'LANG')).toBe('FR'); // a hit, which starts the read
    await waitFor(() => reader.db.getCacheStats().local.loads > before.local.loads, 2000);
    // Past the first entry's lifetime: still a local hit, and PostgreSQL was not read again.
    await wait(Math.max(0, LOCAL_MAX_AGE_MS - (performance.now() - stored)) + 20);
    expect(await reader.db.getAttribute('user', id, 'LANG')).toBe('FR');
    const after = reader.db.getCacheStats();
    expect(after.local.misses).toBe(before.local.misses);
    expect(after.local.hits - before.local.hits).toBe(2);
    expect(after.redis.hits - before.redis.hits).toBe(1);
    expect(after.database.loads).toBe(before.database.loads);
  });

  it('does not store a value read before a write whose invalidation arrived while the read was under way', async () => {
    // The reader's commands go through a relay that can hold Redis' replies; its invalidations arrive directly.
    const proxy = await TcpProxy.start(Number(new URL(TEST_REDIS_URL).port || 6379));
    try {
      const reader = await f.open({
        redis: proxy.url,
        subscriberRedis: TEST_REDIS_URL,
        cache: { localMaxAgeMs: LOCAL_MAX_AGE_MS, redisTimeoutMs: 2000 },
      });
      const id = freshId();
      const key = reader.db.keys.attributes('user', id);
      expect(await reader.db.hasAttribute('user', id, 'BLACKLISTED')).toBe(false);
      await wait(LOCAL_MAX_AGE_MS / 2);

      const admin = new Redis(TEST_REDIS_URL);
      const monitor = await admin.monitor();
      admin.disconnect();
      const readRan = new Promise<void>((resolve) =>
        monitor.on('monitor', (_time: string, args: string[]) => {
          if (args[0]?.toLowerCase() === 'mget' && args.includes(key)) resolve();
        }),
      );
      proxy.holdReplies();
      expect(await reader.db.hasAttribute('user', id, 'BLACKLISTED')).toBe(false); // a hit, which starts the read
      await readRan; // Redis answered it with the entry as it was; the reader has not seen the reply
      monitor.disconnect();
      await invalidationDelay(reader, key, () => a.db.setAttribute('user', id, 'BLACKLISTED', true, DEV, 'abuse'));
      proxy.releaseReplies();
      // The reply is handled: Redis had the entry, as it was before the write.
      await waitFor(() => reader.db.getCacheStats().redis.hits > 0, 2000);

      expect(await reader.db.hasAttribute('user', id, 'BLACKLISTED')).toBe(true);
    } finally {
      proxy.releaseReplies();
      await proxy.cut();
    }
  });
});
