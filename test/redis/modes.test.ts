import { CacheKeys } from '../../src/cache/keys';
import { purgeStaleCacheEntries } from '../../src/cache/purge';
import { globLiteral, scanKeys } from '../../src/cache/scan';
import { generateErrorCode } from '../../src/error-tracking';
import { CodeReservations } from '../../src/error-tracking/code-reservation';
import { masterNodes, type RedisTarget } from '../../src/redis';
import { startErrorPersistenceWorker, type RunningWorker } from '../../src/worker-roles';
import { CacheFixture, DEV, freshId, waitFor, type CacheInstance } from '../helpers/cache-fixture';
import {
  asLogger,
  countErrors,
  deletePrefix,
  eventually,
  openTracker,
  RecordingLogger,
  storedErrors,
  type TrackerFixture,
} from '../helpers/pipeline-fixture';
import { ClusterDeployment, SentinelDeployment } from '../helpers/redis-deployments';
import { TEST_CONFIG } from '../helpers/config';

/** What a mode's suite shares with its mode-specific tests. */
interface ModeContext {
  deployment: ClusterDeployment | SentinelDeployment;
  cache: CacheFixture;
  a: CacheInstance;
  b: CacheInstance;
  tracker: TrackerFixture;
  worker: RunningWorker;
}

/**
 * The cache coherence, purge and error-pipeline behaviours against a deployment of the test's own
 * (servers started once for the suite), then `extra`, the tests only that mode has.
 */
function modeSuite(name: string, start: () => Promise<ClusterDeployment | SentinelDeployment>, extra: (ctx: ModeContext) => void): void {
  describe(`${name} mode`, () => {
    const ctx = {} as ModeContext;

    beforeAll(async () => {
      ctx.deployment = await start();
      const target: RedisTarget = ctx.deployment.target;
      ctx.cache = await CacheFixture.create(target);
      ctx.a = await ctx.cache.open({ cache: { probeIntervalMs: 50 } });
      ctx.b = await ctx.cache.open({ cache: { probeIntervalMs: 50 } });
      ctx.tracker = await openTracker(ctx.a.inner, { redis: target, redisTimeoutMs: 500 });
      await eventually(() => ctx.tracker.redis.status === 'ready');
      ctx.worker = await startErrorPersistenceWorker({
        config: TEST_CONFIG,
        db: ctx.a.inner,
        prefix: ctx.tracker.prefix,
        redis: target,
        logger: asLogger(new RecordingLogger()),
      });
    }, 60_000);

    afterAll(async () => {
      await ctx.worker?.close();
      await ctx.tracker?.close();
      if (ctx.tracker) await deletePrefix(ctx.tracker.prefix, ctx.deployment.target);
      await ctx.cache?.cleanup();
      await ctx.deployment?.stop();
    }, 60_000);

    it('caches an interaction read in Redis and keeps two processes coherent', async () => {
      expect(ctx.a.db.redisUp && ctx.b.db.redisUp).toBe(true);
      const user = freshId();
      const guild = freshId();
      await ctx.a.db.setAttribute('guild', guild, 'LANG', 'FR', DEV, 'setup');
      // User and guild entries: two slots on a cluster, read together in one round trip.
      expect((await ctx.b.db.getInteractionAttributes(user, guild)).guild?.LANG).toBe('FR');
      const keys = new CacheKeys(ctx.cache.prefix);
      expect(await ctx.cache.redis.exists(keys.attributes('user', user))).toBe(1);
      expect(await ctx.cache.redis.exists(keys.attributes('guild', guild))).toBe(1);

      await ctx.a.db.setAttribute('user', user, 'BLACKLISTED', true, DEV, 'abuse');
      await ctx.a.db.setAttribute('guild', guild, 'LANG', 'EN', DEV, 'switch');
      await waitFor(async () => {
        const read = await ctx.b.db.getInteractionAttributes(user, guild);
        return read.user.BLACKLISTED === true && read.guild?.LANG === 'EN';
      }, 2000);
      await ctx.a.db.upsertCachedGuild({ guildId: guild, name: 'Before', updateSource: 'bot_join' });
      expect((await ctx.b.db.getCachedGuild(guild))?.name).toBe('Before');
      await ctx.a.db.upsertCachedGuild({ guildId: guild, name: 'After', updateSource: 'api_call' });
      await waitFor(async () => (await ctx.b.db.getCachedGuild(guild))?.name === 'After', 2000);
      // Every command and script stayed in its slot: nothing failed, no process fell back to PostgreSQL.
      expect([...ctx.a.logger.warnings, ...ctx.b.logger.warnings]).toEqual([]);
      expect(ctx.a.db.redisUp && ctx.b.db.redisUp).toBe(true);
    });

    it('purges keys of the old schema version and keys without TTL on every master', async () => {
      const keys = new CacheKeys(ctx.cache.prefix);
      const oldKeys = Array.from({ length: 60 }, (_, i) => `${ctx.cache.prefix}:v1:attrs:user:${i}`);
      const current = Array.from({ length: 60 }, (_, i) => keys.record('user', String(900 + i)));
      for (const key of oldKeys) await ctx.cache.redis.set(key, '{}');
      for (const key of current) await ctx.cache.redis.set(key, '{}', 'PX', 60_000);
      await ctx.cache.redis.set(keys.record('guild', '1'), '{}'); // no TTL: stale

      const result = await purgeStaleCacheEntries(ctx.cache.redis, ctx.cache.prefix);
      expect(result.removed).toBe(oldKeys.length + 1);
      const left: string[] = [];
      await scanKeys(ctx.cache.redis, `${globLiteral(ctx.cache.prefix)}:v*`, async (found) => void left.push(...found));
      expect(left.filter((key) => key.includes(':v1:'))).toEqual([]);
      for (const key of current) expect(left).toContain(key);
      expect(masterNodes(ctx.cache.redis).length).toBe(name === 'cluster' ? 3 : 1);
    });

    it('reserves error codes ahead: the pool fills (its codes hash to every slot of a cluster)', async () => {
      const reservations = new CodeReservations({
        redis: ctx.tracker.redis,
        prefix: ctx.tracker.prefix,
        ttlSeconds: 60,
        generate: generateErrorCode,
        poolSize: 64,
      });
      await reservations.refill();
      expect(reservations.available).toBe(64);
      const code = reservations.take();
      if (code === undefined) throw new Error('empty pool');
      expect(await ctx.tracker.redis.get(reservations.key(code))).toBe('pool');
    });

    it('stores every captured error through the queue', async () => {
      const captured = new Map<string, string>();
      for (let i = 0; i < 200; i += 1) {
        const message = `${name} error ${i}`;
        captured.set(await ctx.tracker.tracker.capture(new Error(message)), message);
      }
      await ctx.tracker.tracker.drain();
      await eventually(async () => (await countErrors(ctx.a.inner)) >= captured.size);
      const stored = await storedErrors(ctx.a.inner);
      for (const [code, message] of captured) expect(stored.get(code)?.message).toBe(message);
      // These servers run without AOF on purpose (the journal covers it): that warning is expected.
      expect(ctx.tracker.logger.messages('warn').filter((message) => !message.includes('appendonly no'))).toEqual([]);
      expect(ctx.tracker.queues.errorPersistence.opts.prefix).toBe(name === 'cluster' ? `{${ctx.tracker.prefix}}` : ctx.tracker.prefix);
    });

    extra(ctx);
  });
}

modeSuite(
  'cluster',
  () => ClusterDeployment.start(),
  (ctx) => {
    it('survives a master restarted empty: reads stay correct, and both processes return to Redis', async () => {
      const deployment = ctx.deployment as ClusterDeployment;
      const users = Array.from({ length: 30 }, () => freshId());
      for (const user of users) expect(await ctx.b.db.hasAttribute('user', user, 'BLACKLISTED')).toBe(false);

      const victim = deployment.masters[0];
      if (!victim) throw new Error('no master');
      await victim.kill();
      for (const user of users) await ctx.a.db.setAttribute('user', user, 'BLACKLISTED', true, DEV, 'during the outage');
      // The entries on the dead master cannot be invalidated there, but no read returns the old value for long.
      await eventually(async () => {
        for (const user of users) if (!(await ctx.b.db.hasAttribute('user', user, 'BLACKLISTED'))) return false;
        return true;
      }, 10_000);

      await victim.start();
      await deployment.waitHealthy();
      // The restarted master lost its entries and the invalidations it missed: no old value comes back.
      for (const user of users) expect(await ctx.b.db.hasAttribute('user', user, 'BLACKLISTED')).toBe(true);
      const after = freshId();
      expect(await ctx.b.db.hasAttribute('user', after, 'BLACKLISTED')).toBe(false);
      await ctx.a.db.setAttribute('user', after, 'BLACKLISTED', true, DEV, 'after');
      await waitFor(() => ctx.b.db.hasAttribute('user', after, 'BLACKLISTED'), 2000);
      // Both tiers come back to Redis (the breaker's probe and epoch check pass against the restarted
      // master): before ioredis' node connections reconnected, a process could stay on PostgreSQL for good.
      await eventually(() => ctx.a.db.redisUp && ctx.b.db.redisUp, 30_000);
      // And Redis serves again: a read fills its entry there (on whichever master its slot lives).
      const fresh = freshId();
      expect(await ctx.b.db.hasAttribute('user', fresh, 'BLACKLISTED')).toBe(false);
      expect(await ctx.cache.redis.exists(new CacheKeys(ctx.cache.prefix).attributes('user', fresh))).toBe(1);
    }, 60_000);
  },
);

modeSuite(
  'sentinel',
  () => SentinelDeployment.start(),
  (ctx) => {
    it('keeps serving through SENTINEL FAILOVER under load: no captured error lost, no stale entry outlives it', async () => {
      const deployment = ctx.deployment as SentinelDeployment;
      const users = Array.from({ length: 20 }, () => freshId());
      for (const user of users) await ctx.a.db.ensureUser(user);
      for (const user of users) await ctx.b.db.getUser(user);

      const captured = new Map<string, string>();
      let stop = false;
      let round = 0;
      // Writes through one process, reads through the other, errors captured: none of them may throw.
      const load = (async () => {
        while (!stop) {
          round += 1;
          const user = users[round % users.length] ?? '';
          await ctx.a.db.updateUserData(user, 'round', round);
          await ctx.b.db.getUser(user);
          const message = `failover error ${round}`;
          captured.set(await ctx.tracker.tracker.capture(new Error(message)), message);
        }
      })();
      load.catch(() => (stop = true));

      const { from, to } = await deployment.failover();
      expect(to).not.toBe(from);
      // Both cache processes came back on the new master (after flushing: its copy may miss invalidations).
      await eventually(() => ctx.a.db.redisUp && ctx.b.db.redisUp, 20_000);
      await eventually(
        () => [...ctx.a.logger.infos, ...ctx.b.logger.infos].some((line) => line.includes('Redis cache tier is back')),
        20_000,
      );
      const roundsAtRecovery = round;
      await eventually(() => round > roundsAtRecovery + 20, 20_000);
      stop = true;
      await load;

      // Every value read now is the last one written (no stale entry survived the failover).
      const expected = await Promise.all(users.map(async (user) => (await ctx.a.inner.getUser(user))?.data.round));
      await eventually(async () => {
        for (const [i, user] of users.entries()) {
          if ((await ctx.b.db.getUser(user))?.data.round !== expected[i]) return false;
        }
        return true;
      }, 5000);
      expect([...ctx.a.logger.warnings, ...ctx.b.logger.warnings].some((line) => line.includes('Redis restarted'))).toBe(true);

      // The queues resumed on the new master and every error captured during the failover is stored.
      await ctx.tracker.tracker.drain();
      await ctx.tracker.tracker.replaySpool();
      await eventually(async () => {
        const stored = await storedErrors(ctx.a.inner);
        return [...captured].every(([code, message]) => stored.get(code)?.message === message);
      }, 60_000);
    }, 90_000);
  },
);
