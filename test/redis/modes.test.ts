import { userRecordCodec } from '../../src/cache/codec';
import { CacheKeys } from '../../src/cache/keys';
import { purgeStaleCacheEntries } from '../../src/cache/purge';
import { globLiteral, scanKeys } from '../../src/cache/scan';
import { generateErrorCode } from '../../src/error-tracking';
import { CodeReservations } from '../../src/error-tracking/code-reservation';
import { masterNodes, type RedisTarget } from '../../src/redis';
import { startErrorPersistenceWorker, type RunningWorker } from '../../src/worker-roles';
import type { Cluster } from 'ioredis';
import { parseConfig } from '../../src/config';
import { CacheFixture, DEV, freshId, invalidationDelay, waitFor, type CacheInstance } from '../helpers/cache-fixture';
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

/** The instances run the default local TTL: the hard staleness bound when an invalidation cannot arrive. */
const LOCAL_TTL_MS = parseConfig({}).CACHE_LOCAL_TTL_MS;

/** A fresh user whose attributes entry lives on a master `accept` picks. */
async function userWhoseEntry(
  deployment: ClusterDeployment,
  admin: Cluster,
  keys: CacheKeys,
  accept: (master: ClusterDeployment['masters'][number]) => boolean,
): Promise<string> {
  for (;;) {
    const user = freshId();
    if (accept(await deployment.masterOf(admin, keys.attributes('user', user)))) return user;
  }
}

/** The cache instance logged its recovery from an outage. */
const backAgain = (instance: CacheInstance): boolean => instance.logger.infos.some((line) => line.includes('Redis cache tier is back'));

/** Stored rows whose message matches `pattern` (SQL LIKE). */
async function countErrorsLike(db: CacheInstance['inner'], pattern: string): Promise<number> {
  const [row] = (await db.dataSource.query('SELECT count(*)::int AS n FROM errors WHERE message LIKE $1', [pattern])) as { n: number }[];
  return row?.n ?? 0;
}

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
    it('a reader whose subscriber node dies serves no revoked value past CACHE_LOCAL_TTL_MS, then hears invalidations again', async () => {
      const deployment = ctx.deployment as ClusterDeployment;
      const admin = ctx.cache.redis as Cluster;
      const keys = new CacheKeys(ctx.cache.prefix);
      const victim = deployment.subscriberNode(ctx.b.subscriber);
      // One entry on a master that stays up (the writer deletes it there), one on the victim.
      const onSurvivor = await userWhoseEntry(deployment, admin, keys, (server) => server !== victim);
      const onVictim = await userWhoseEntry(deployment, admin, keys, (server) => server === victim);
      const revoked = [onSurvivor, onVictim];
      for (const user of revoked) await ctx.a.db.setAttribute('user', user, 'DEVELOPER', true, DEV, 'granted');
      // In the reader's local tier (and in Redis) before the gap.
      for (const user of revoked) expect(await ctx.b.db.hasAttribute('user', user, 'DEVELOPER')).toBe(true);

      // A hung node first: the reader's subscriber stays connected to it and hears nothing, so the
      // writes below are published in the gap whatever the timing; then the node dies and ioredis
      // moves the subscription.
      victim.pause();
      for (const user of revoked) await ctx.a.db.setAttribute('user', user, 'DEVELOPER', null, DEV, 'revoked in the gap');
      const writtenAt = Date.now();
      await victim.kill();

      // The documented bound: the reader's local entries, stored before the write, die within
      // CACHE_LOCAL_TTL_MS; Redis no longer holds the old value (deleted by the writer, or its
      // master is gone and the failed read opens the breaker). Read on past it to see no stale value after.
      const stale: number[] = [];
      while (Date.now() - writtenAt < LOCAL_TTL_MS + 1500) {
        const startedMs = Date.now() - writtenAt;
        for (const user of revoked) if (await ctx.b.db.hasAttribute('user', user, 'DEVELOPER')) stale.push(startedMs);
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(stale.filter((ms) => ms >= LOCAL_TTL_MS)).toEqual([]);

      await victim.start();
      await deployment.waitHealthy();
      await eventually(() => ctx.a.db.redisUp && ctx.b.db.redisUp, 30_000);
      for (const user of revoked) expect(await ctx.b.db.hasAttribute('user', user, 'DEVELOPER')).toBe(false);
      // The moved subscription hears the next invalidation (invalidationDelay throws if it never arrives).
      const next = freshId();
      expect(await ctx.b.db.hasAttribute('user', next, 'DEVELOPER')).toBe(false);
      await invalidationDelay(ctx.b, keys.attributes('user', next), () =>
        ctx.a.db.setAttribute('user', next, 'DEVELOPER', true, DEV, 'after'),
      );
      expect(await ctx.b.db.hasAttribute('user', next, 'DEVELOPER')).toBe(true);
    }, 60_000);

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
      const keys = new CacheKeys(ctx.cache.prefix);
      const users = Array.from({ length: 20 }, () => freshId());
      for (const user of users) await ctx.a.db.ensureUser(user);
      for (const user of users) await ctx.b.db.getUser(user);

      // Writes through one process (each followed by a captured error), reads through the other,
      // in two loops: none may throw, and each counts what it did while its process's breaker was open.
      const captures: { code: string; message: string }[] = [];
      const done = { writes: 0, reads: 0, writesWhileDown: 0, readsWhileDown: 0 };
      let stop = false;
      let failure: unknown;
      const loop = (step: (i: number) => Promise<void>): Promise<void> =>
        (async () => {
          // A read answered locally resolves without I/O: yield so timers (the breaker's probe) and sockets run.
          for (let i = 1; !stop; i += 1) await step(i).then(() => new Promise((resolve) => setImmediate(resolve)));
        })().catch((error: unknown) => {
          failure ??= error;
          stop = true;
        });
      // One process flushed the namespace on the new master (its run_id is not the stored epoch).
      const newMasterFlushed = (): boolean =>
        [...ctx.a.logger.warnings, ...ctx.b.logger.warnings].some((line) => line.includes('Redis restarted'));
      const userAt = (i: number): string => users[i % users.length] ?? '';
      const load = Promise.all([
        loop(async (i) => {
          const down = !ctx.a.db.redisUp;
          await ctx.a.db.updateUserData(userAt(i), 'round', i);
          if (down || !ctx.a.db.redisUp) done.writesWhileDown += 1;
          const message = `failover error ${i}`;
          captures.push({ code: await ctx.tracker.tracker.capture(new Error(message)), message });
          done.writes += 1;
        }),
        loop(async (i) => {
          const down = !ctx.b.db.redisUp;
          await ctx.b.db.getUser(userAt(i));
          if (down || !ctx.b.db.redisUp) done.readsWhileDown += 1;
          done.reads += 1;
        }),
      ]);

      try {
        const { from, to } = await deployment.failover();
        expect(to).not.toBe(from);
        // Breaker, then recovery, in both processes: each lost its connections, went to PostgreSQL,
        // and came back on the new master (after a flush: its copy may miss invalidations).
        await eventually(
          () =>
            failure !== undefined || (ctx.a.db.redisUp && ctx.b.db.redisUp && backAgain(ctx.a) && backAgain(ctx.b) && newMasterFlushed()),
          30_000,
        );
        expect(failure).toBeUndefined();
        const atRecovery = { ...done };
        await eventually(
          () => failure !== undefined || (done.writes > atRecovery.writes + 20 && done.reads > atRecovery.reads + 20),
          30_000,
        );
      } finally {
        stop = true;
        await load;
      }
      expect(failure).toBeUndefined();
      for (const instance of [ctx.a, ctx.b]) {
        expect(instance.logger.warnings.some((line) => line.includes('Redis cache tier unreachable'))).toBe(true);
      }
      expect(newMasterFlushed()).toBe(true);
      // Reads and writes went on while the breaker was open (PostgreSQL directly).
      expect(done.writesWhileDown).toBeGreaterThan(0);
      expect(done.readsWhileDown).toBeGreaterThan(0);

      // No stale entry outlived the failover. Every write has returned, so Redis holds no old value
      // (an entry is absent or the last value written), and every process reads the last value
      // within the hard bound (the last messages may still be in flight).
      const expected = await Promise.all(users.map(async (user) => (await ctx.a.inner.getUser(user))?.data.round));
      for (const [i, user] of users.entries()) {
        const entry = await ctx.cache.redis.get(keys.record('user', user));
        if (entry !== null) expect(userRecordCodec.decode(entry)?.data.round).toBe(expected[i]);
      }
      for (const instance of [ctx.a, ctx.b]) {
        await waitFor(async () => {
          for (const [i, user] of users.entries()) if ((await instance.db.getUser(user))?.data.round !== expected[i]) return false;
          return true;
        }, LOCAL_TTL_MS);
      }

      // Every error captured during the failover is stored, exactly once: distinct codes, each row
      // with its message, and no extra row (a replay that re-coded an error already stored).
      await ctx.tracker.tracker.drain();
      await ctx.tracker.tracker.replaySpool();
      expect(new Set(captures.map(({ code }) => code)).size).toBe(captures.length);
      await eventually(async () => {
        const stored = await storedErrors(ctx.a.inner);
        return captures.every(({ code, message }) => stored.get(code)?.message === message);
      }, 60_000);
      expect(await countErrorsLike(ctx.a.inner, 'failover error %')).toBe(captures.length);

      // The queues resumed: an error captured now goes through the queue (not the direct insert,
      // which also spools it) and the worker stores it.
      await eventually(() => ctx.tracker.redis.status === 'ready');
      const spooled = ctx.tracker.spool.pending();
      const after = await ctx.tracker.tracker.capture(new Error('after the failover'));
      await ctx.tracker.tracker.drain();
      expect(ctx.tracker.spool.pending()).toBe(spooled);
      await eventually(async () => (await storedErrors(ctx.a.inner)).get(after)?.message === 'after the failover');
    }, 120_000);
  },
);
