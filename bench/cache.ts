import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { getConfig } from '../src/config';
import { connectDatabase } from '../src/connect';
import type { ModdyDatabase } from '../src/db/api';
import { createScratchDatabase, deleteRedisPrefix, type ScratchDatabase } from './scratch';

const USERS = 100_000;
/** Interactions come from the active users: reads draw uniformly from this many of them. */
const HOT_USERS = 10_000;
const FIRST_ID = 100_000_000_000_000_000n;
export const CONCURRENCIES = [1, 64] as const;
const WARMUP_MS = 500;
const MEASURE_MS = 2_000;

export interface Measurement {
  opsPerSecond: number;
  p50Us: number;
  p99Us: number;
}

const userId = (n: number): string => String(FIRST_ID + BigInt(n));
/** Built once, as a bot gets its IDs from the gateway: the benchmark measures the lookups, not string building. */
const HOT_IDS = Array.from({ length: HOT_USERS }, (_, i) => userId(1 + i));
/** Each loop lets I/O in this often, as interactions arriving from the gateway would. */
const YIELD_EVERY = 64;
/** Latency is sampled on one op in this many (per loop); throughput counts every op. */
const SAMPLE_EVERY = 16;

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

/**
 * `concurrency` loops call `op` back to back for `durationMs`. Throughput counts the ops completed
 * between the start and the end; only every `sampleEvery`-th op of each loop is timed (µs), so the
 * clock is not read around every sub-microsecond op. Every path is measured this way.
 */
export async function measure(
  op: () => Promise<unknown>,
  concurrency: number,
  durationMs: number,
  sampleEvery = SAMPLE_EVERY,
): Promise<Measurement> {
  const latencies: number[] = [];
  let completed = 0;
  let running = true;
  const timer = setTimeout(() => (running = false), durationMs);
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      let i = 0;
      while (running) {
        i += 1;
        if (i % sampleEvery === 0) {
          const t0 = performance.now();
          await op();
          latencies.push((performance.now() - t0) * 1000);
        } else {
          await op();
        }
        if (i % YIELD_EVERY === 0) await yieldToEventLoop();
      }
      completed += i;
    }),
  );
  const elapsed = performance.now() - start;
  clearTimeout(timer);
  const sorted = Float64Array.from(latencies).sort();
  return { opsPerSecond: (completed / elapsed) * 1000, p50Us: percentile(sorted, 0.5), p99Us: percentile(sorted, 0.99) };
}

export async function hasAttributeRun(db: ModdyDatabase, concurrency: number): Promise<Measurement> {
  const op = () => db.hasAttribute('user', HOT_IDS[Math.floor(Math.random() * HOT_USERS)]!, 'BETA');
  // Every hot key read once, so the cached tiers are measured warm.
  for (let i = 0; i < HOT_IDS.length; i += 256)
    await Promise.all(HOT_IDS.slice(i, i + 256).map((id) => db.hasAttribute('user', id, 'BETA')));
  await measure(op, concurrency, WARMUP_MS);
  return measure(op, concurrency, MEASURE_MS);
}

/** A scratch database on the configured server: 100k users, 1% BETA, every 7th with LANG. */
export async function prepareDatabase(): Promise<ScratchDatabase> {
  const scratch = await createScratchDatabase('cache');
  await scratch.query(
    `INSERT INTO users (user_id, attributes)
     SELECT ${FIRST_ID} + g,
            CASE WHEN g % 100 = 0 THEN '{"BETA": true}'::jsonb
                 WHEN g % 7 = 0 THEN jsonb_build_object('LANG', CASE WHEN g % 2 = 0 THEN 'FR' ELSE 'EN' END)
                 ELSE '{}'::jsonb END
     FROM generate_series(1, ${USERS}) AS g;
     ANALYZE users;`,
  );
  return scratch;
}

export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Benchmark of the cache tier: hasAttribute through PostgreSQL only, the Redis tier, the local tier. */
export async function run(): Promise<void> {
  const config = getConfig();
  const prefix = `moddy_bench_${process.pid}`;
  const scratch = await prepareDatabase();
  const tiers: { label: string; db: ModdyDatabase }[] = [];
  try {
    tiers.push({
      label: '(a) PostgreSQL via TypeORM, no cache',
      db: await connectDatabase({ config, databaseUrl: scratch.url, cache: false }),
    });
    tiers.push({
      label: '(b) Redis tier (local tier off)',
      db: await connectDatabase({ config, databaseUrl: scratch.url, cachePrefix: prefix, cache: { localMaxEntries: 0 } }),
    });
    tiers.push({
      label: '(c) local tier (defaults)',
      db: await connectDatabase({ config, databaseUrl: scratch.url, cachePrefix: prefix, cache: {} }),
    });

    const results = new Map<string, Measurement>();
    for (const { label, db } of tiers) {
      for (const concurrency of CONCURRENCIES) results.set(`${label}|${concurrency}`, await hasAttributeRun(db, concurrency));
    }
    const naive = tiers[0]!.db;
    const beta = await measure(() => naive.getUsersWithAttribute('BETA'), 1, 1000, 1);
    const betaCount = (await naive.getUsersWithAttribute('BETA')).length;

    console.log(
      `\nCache tier: hasAttribute('user', id, 'BETA') on ${fmt(USERS)} users, ids drawn from ${fmt(HOT_USERS)} active ones, ${MEASURE_MS / 1000} s per row`,
    );
    console.log(`ops/s counts every op; p50/p99 time one op in ${SAMPLE_EVERY} per loop`);
    console.log('| path | concurrency | ops/s | p50 (µs) | p99 (µs) |');
    console.log('|---|---:|---:|---:|---:|');
    for (const { label } of tiers) {
      for (const concurrency of CONCURRENCIES) {
        const m = results.get(`${label}|${concurrency}`)!;
        console.log(`| ${label} | ${concurrency} | ${fmt(m.opsPerSecond)} | ${fmt(m.p50Us, 1)} | ${fmt(m.p99Us, 1)} |`);
      }
    }
    for (const concurrency of CONCURRENCIES) {
      const base = results.get(`${tiers[0]!.label}|${concurrency}`)!.opsPerSecond;
      const ratio = (tier: number) => results.get(`${tiers[tier]!.label}|${concurrency}`)!.opsPerSecond / base;
      console.log(`concurrency ${concurrency}: (b)/(a) = ${fmt(ratio(1), 1)}×, (c)/(a) = ${fmt(ratio(2), 1)}×`);
    }
    console.log(
      `getUsersWithAttribute('BETA') (${fmt(betaCount)} ids): p50 ${fmt(beta.p50Us / 1000, 2)} ms, p99 ${fmt(beta.p99Us / 1000, 2)} ms`,
    );
    const stats = tiers[2]!.db.getCacheStats();
    console.log(`local tier counters: ${JSON.stringify(stats.local)}; Redis: ${JSON.stringify(stats.redis)}`);
  } finally {
    await Promise.all(tiers.map(({ db }) => db.close()));
    await deleteRedisPrefix(prefix);
    await scratch.drop();
  }
}

if (require.main === module) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
