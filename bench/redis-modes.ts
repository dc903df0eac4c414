import os from 'node:os';
import { CachedDatabase, CacheKeys, createCacheRedisClients } from '../src/cache';
import { encodeInvalidation } from '../src/cache/invalidation-bus';
import { RedisStore } from '../src/cache/redis-store';
import { getConfig, type Config } from '../src/config';
import { connectDatabase } from '../src/connect';
import { withDeadline } from '../src/core/deadline';
import type { RedisTarget } from '../src/redis';
import { ClusterDeployment, SingleNodeDeployment } from '../test/helpers/redis-deployments';
import { CONCURRENCIES, fmt, hasAttributeRun, measure, prepareDatabase, type Measurement } from './cache';
import { measurePipeline, type PipelineFigures, type Throughput } from './error-pipeline';
import { pubsubLatency } from './pubsub-latency';
import type { ScratchDatabase } from './scratch';

/** Sized to keep the section short (1.5–2.5 min on this loaded 2-core machine); it is opt-in (`npm run bench -- redis-modes`), never in the default run. */
const PIPELINE_SIZES = { errors: 5_000, workers: [1], latencySamples: 500 } as const;
const WRITE_WARMUP_MS = 500;
const WRITE_MEASURE_MS = 2_000;
/**
 * The write connection's command timeout: a bound against a hung server, not the cache's 100 ms
 * (CACHE_REDIS_TIMEOUT_MS), whose timeouts the breaker absorbs in the product but would end this loop.
 */
const WRITE_TIMEOUT_MS = 2_000;
/** How long an interrupted run may spend dropping its scratch database before it exits anyway. */
const SIGNAL_CLEANUP_MS = 3_000;
/** Each step's limit: a step that hangs (slots not served, a fallback loop) fails the section with its name. */
const STEP_MS = { servers: 60_000, cache: 60_000, pipeline: 120_000, pubsub: 60_000 } as const;

interface ModeFigures {
  reads: Map<number, Measurement>;
  /** Reads that failed in Redis (timeouts: then served by PostgreSQL while the breaker was open), over every read of the mode. */
  readErrors: number;
  writes: Map<number, Measurement>;
  pipeline: PipelineFigures;
}

interface Mode {
  label: string;
  target: RedisTarget;
}

/** Runs one step within `ms`, saying which step runs: a failure or a slow step names itself. */
function step<T>(label: string, ms: number, work: () => Promise<T>): Promise<T> {
  console.log(`redis-modes: ${label}…`);
  return withDeadline(work(), ms, `redis-modes: ${label}`);
}

async function until(what: string, ms: number, condition: () => boolean): Promise<void> {
  await step(what, ms, async () => {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
  });
}

/** Warm Redis-tier reads (local tier off): every read is a Redis round trip, no PostgreSQL. */
async function cacheReads(
  config: Config,
  scratch: ScratchDatabase,
  target: RedisTarget,
  prefix: string,
): Promise<{ reads: Map<number, Measurement>; readErrors: number }> {
  const db = await connectDatabase({ config, databaseUrl: scratch.url, redis: target, cachePrefix: prefix, cache: { localMaxEntries: 0 } });
  try {
    await until('cache tier up', 10_000, () => db instanceof CachedDatabase && db.redisUp);
    const reads = new Map<number, Measurement>();
    for (const concurrency of CONCURRENCIES) reads.set(concurrency, await hasAttributeRun(db, concurrency));
    const { redis } = db.getCacheStats();
    if (redis.hits === 0) throw new Error(`redis-modes: the Redis tier served no read (${JSON.stringify(redis)})`);
    // Printed with the figures: on a loaded machine a few reads time out (CACHE_REDIS_TIMEOUT_MS) and PostgreSQL serves them.
    return { reads, readErrors: redis.errors };
  } finally {
    await db.close();
  }
}

/** Fill then invalidate (version bump, delete, announcement) of a fresh entry: the cache's two write scripts. */
async function cacheWrites(target: RedisTarget, prefix: string): Promise<Map<number, Measurement>> {
  const { redis, subscriber } = createCacheRedisClients(target, WRITE_TIMEOUT_MS);
  try {
    await until('cache write connection ready', 10_000, () => redis.status === 'ready');
    const keys = new CacheKeys(prefix);
    const store = new RedisStore(redis, keys, 60_000, WRITE_TIMEOUT_MS);
    let next = 0;
    const op = async (): Promise<void> => {
      next += 1;
      const key = keys.attributes('user', String(next));
      await store.fill([{ key, text: '{}', ttlMs: 60_000, version: null }]);
      await store.invalidate([key], encodeInvalidation('bench', [key]));
    };
    const writes = new Map<number, Measurement>();
    for (const concurrency of CONCURRENCIES) {
      await measure(op, concurrency, WRITE_WARMUP_MS);
      writes.set(concurrency, await measure(op, concurrency, WRITE_MEASURE_MS));
    }
    return writes;
  } finally {
    redis.disconnect();
    subscriber.disconnect();
  }
}

async function measureMode(config: Config, scratch: ScratchDatabase, { label, target }: Mode): Promise<ModeFigures> {
  const prefix = `moddy_bench_modes_${process.pid}`;
  const { reads, readErrors } = await step(`${label} cache reads`, STEP_MS.cache, () => cacheReads(config, scratch, target, prefix));
  const writes = await step(`${label} cache writes`, STEP_MS.cache, () => cacheWrites(target, prefix));
  const pipeline = await step(`${label} error pipeline`, STEP_MS.pipeline, () => measurePipeline(config, target, PIPELINE_SIZES));
  return { reads, readErrors, writes, pipeline };
}

function printFigures(single: ModeFigures, cluster: ModeFigures): void {
  const row = (what: string, a: number, b: number, digits = 0): void =>
    console.log(`| ${what} | ${fmt(a, digits)} | ${fmt(b, digits)} | ${a === 0 ? '–' : `${fmt(b / a, 2)}×`} |`);
  console.log('\nSame run, servers started by the bench (no persistence); cluster = 3 masters, no replicas');
  console.log('| figure | one node | cluster | cluster/one node |');
  console.log('|---|---:|---:|---:|');
  for (const [name, figures] of [
    ['Redis-tier reads', 'reads'],
    ['fill+invalidate writes', 'writes'],
  ] as const) {
    for (const concurrency of CONCURRENCIES) {
      const a = single[figures].get(concurrency)!;
      const b = cluster[figures].get(concurrency)!;
      row(`${name}, concurrency ${concurrency}: ops/s`, a.opsPerSecond, b.opsPerSecond);
      row(`${name}, concurrency ${concurrency}: p50 µs`, a.p50Us, b.p50Us, 1);
      row(`${name}, concurrency ${concurrency}: p99 µs`, a.p99Us, b.p99Us, 1);
    }
  }
  row('Redis-tier read errors (timeouts, served by PostgreSQL)', single.readErrors, cluster.readErrors);
  const persisted = (figures: ModeFigures): Throughput => figures.pipeline.persisted[0] ?? { workers: 1, perSecond: NaN, fallbacks: NaN };
  row(
    `errors persisted/s (${PIPELINE_SIZES.errors} captured, 1 worker process)`,
    persisted(single).perSecond,
    persisted(cluster).perSecond,
  );
  // Not the queue path's figure when captures fell back (the tracker's warnings above name them).
  row('of which captures off the queue path (fallbacks)', persisted(single).fallbacks, persisted(cluster).fallbacks);
  row('capture() p50 µs', single.pipeline.latency.p50, cluster.pipeline.latency.p50);
  row('capture() p99 µs', single.pipeline.latency.p99, cluster.pipeline.latency.p99);
}

/**
 * `npm run bench -- redis-modes`: the cache's Redis tier and the error pipeline against a 3-master
 * cluster and one node, same run, then plain vs sharded pub/sub delivery on the cluster. Starts its
 * own servers on free ports (test/helpers/redis-deployments.ts) and kills them at the end, on a
 * failure and on SIGINT/SIGTERM.
 */
export async function run(): Promise<void> {
  const config = getConfig();
  const deployments: (SingleNodeDeployment | ClusterDeployment)[] = [];
  const killAll = (): void => deployments.forEach((deployment) => deployment.killNow());
  let scratch: ScratchDatabase | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    killAll();
    const exit = (): never => process.exit(128 + os.constants.signals[signal]);
    // The scratch database too; an error-pipeline step interrupted leaves its own (moddy_bench_errors_<pid>).
    setTimeout(exit, SIGNAL_CLEANUP_MS);
    void (scratch?.drop() ?? Promise.resolve()).catch(() => undefined).finally(exit);
  };
  process.once('exit', killAll);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const [single, cluster] = await step('servers started', STEP_MS.servers, async () => {
      const one = await SingleNodeDeployment.start();
      deployments.push(one);
      // ClusterDeployment.start() returns once every node reports cluster_state:ok.
      const three = await ClusterDeployment.start();
      deployments.push(three);
      return [one, three] as const;
    });
    scratch = await prepareDatabase();
    // Alternating modes step by step would reconnect everything per step; one mode after the other keeps
    // each mode's steps warm. Both modes run on this machine in this run, so the ratios compare like with like.
    const singleFigures = await measureMode(config, scratch, { label: 'one node', target: single.target });
    const clusterFigures = await measureMode(config, scratch, { label: 'cluster', target: cluster.target });
    const delivery = await step('pub/sub latency', STEP_MS.pubsub, () => pubsubLatency(cluster.target));

    console.log(
      `load average at the end: ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    );
    printFigures(singleFigures, clusterFigures);
    console.log(
      `\nInvalidation delivery on the cluster (publish → heard by a subscriber), ${delivery.plain.messages} messages one at a time each:`,
    );
    console.log('| pub/sub | p50 µs | p99 µs |');
    console.log('|---|---:|---:|');
    console.log(`| PUBLISH/SUBSCRIBE (subscriber on another node) | ${fmt(delivery.plain.p50Us, 1)} | ${fmt(delivery.plain.p99Us, 1)} |`);
    console.log(`| SPUBLISH/SSUBSCRIBE (slot's master) | ${fmt(delivery.sharded.p50Us, 1)} | ${fmt(delivery.sharded.p99Us, 1)} |`);
    console.log(
      `sharded/plain: p50 ${fmt(delivery.sharded.p50Us / delivery.plain.p50Us, 2)}×, p99 ${fmt(delivery.sharded.p99Us / delivery.plain.p99Us, 2)}×`,
    );
  } finally {
    await scratch?.drop();
    await Promise.all(deployments.map((deployment) => deployment.stop()));
    process.off('exit', killAll);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
