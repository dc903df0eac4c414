import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getConfig, type Config } from '../src/config';
import { redisEnvironment, redisTargetFromConfig, type RedisTarget } from '../src/redis';
import { createDataSource } from '../src/db/data-source';
import { PostgresDatabase } from '../src/db/postgres-database';
import { ErrorSpool } from '../src/error-tracking/spool';
import { createErrorTracker, type ErrorTracker } from '../src/error-tracking/tracker';
import { createProducerConnection } from '../src/queues/connection';
import { createQueues, type ModdyQueues } from '../src/queues/queues';
import { countingLogger } from './counting-logger';
import { createScratchDatabase, deleteRedisPrefix } from './scratch';

const ERRORS_PER_RUN = 30_000;
const LATENCY_SAMPLES = 20_000;
const WORKER_CONCURRENCY = 200;
/** Captures in flight while feeding the workers, as many commands failing at once would be. */
const CAPTURE_CONCURRENCY = 64;
const ROOT = path.resolve(__dirname, '../..');
/** A wait for persisted rows fails once their count has not moved for this long (instead of hanging). */
const STALL_MS = 30_000;

interface Scratch {
  url: string;
  db: PostgresDatabase;
  drop(): Promise<void>;
}

async function scratchDatabase(): Promise<Scratch> {
  const scratch = await createScratchDatabase('errors');
  const dataSource = createDataSource({ url: scratch.url, poolSize: 4 });
  await dataSource.initialize();
  const db = new PostgresDatabase(dataSource);
  return {
    url: scratch.url,
    db,
    drop: async () => {
      await db.close();
      await scratch.drop();
    },
  };
}

async function rowCount(db: PostgresDatabase): Promise<number> {
  const [row] = (await db.dataSource.query('SELECT count(*)::int AS n FROM errors')) as { n: number }[];
  return row?.n ?? 0;
}

/** The environment without its Redis variables: a child's whole Redis configuration comes from its target (never two modes). */
function withoutRedis(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('REDIS_')));
}

/** `n` built worker processes (`dist/src/workers/error-persistence-cli.js`) on the scratch database, `target` and prefix. */
function startWorkers(n: number, databaseUrl: string, target: RedisTarget, prefix: string): ChildProcess[] {
  return Array.from({ length: n }, () =>
    spawn(process.execPath, [path.join(ROOT, 'dist/src/workers/error-persistence-cli.js')], {
      cwd: ROOT,
      env: {
        ...withoutRedis(process.env),
        ...redisEnvironment(target),
        DATABASE_URL: databaseUrl,
        QUEUE_PREFIX: prefix,
        HEALTH_PORT: '0',
        LOG_LEVEL: 'error',
        WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
}

async function stopWorkers(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}

/** Polls `condition`; fails naming `what` after `ms` instead of hanging (a Redis whose slots are not served, workers that never start). */
async function until(what: string, ms: number, condition: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`error-pipeline bench: ${what} not reached within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Waits until `expected` rows are stored. Every capture is first delivered (`drain`); errors that
 * took the fallback path and sit in the spool are replayed (the bench turns the replay timer off),
 * else the wait could never end. Fails, saying where the errors are, once no row lands for `STALL_MS`.
 */
async function untilPersisted(scratch: Scratch, tracker: ErrorTracker, spool: ErrorSpool, expected: number): Promise<void> {
  await tracker.drain();
  if ((await rowCount(scratch.db)) < expected && spool.pending() > 0) await tracker.replaySpool();
  let seen = -1;
  let movedAt = performance.now();
  for (;;) {
    const rows = await rowCount(scratch.db);
    if (rows >= expected) return;
    if (rows !== seen) [seen, movedAt] = [rows, performance.now()];
    if (performance.now() - movedAt > STALL_MS)
      throw new Error(`${rows} of ${expected} errors persisted, none for ${STALL_MS} ms; ${spool.pending()} in the spool`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Captures `count` errors, `CAPTURE_CONCURRENCY` at a time; resolves when all codes are returned. */
async function captureMany(tracker: ErrorTracker, count: number, label: string): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CAPTURE_CONCURRENCY }, async () => {
      while (next < count) {
        next += 1;
        await tracker.capture(new Error(`${label} ${next}`), { userId: '123456789012345678', command: 'bench', context: { i: next } });
      }
    }),
  );
}

/** Errors captured → rows persisted per second with `workers` processes, end to end. */
async function throughput(workers: number, errors: number, scratch: Scratch, pipeline: Pipeline): Promise<Throughput> {
  const { tracker, queues, spool, prefix, target } = pipeline;
  await scratch.db.dataSource.query('TRUNCATE errors');
  const children = startWorkers(workers, scratch.url, target, prefix);
  try {
    await until(`${workers} worker(s) registered`, 20_000, async () => (await queues.errorPersistence.getWorkersCount()) >= workers);
    const started = performance.now();
    await captureMany(tracker, errors, `workers=${workers}`);
    await untilPersisted(scratch, tracker, spool, errors);
    return { workers, perSecond: (errors / (performance.now() - started)) * 1000, fallbacks: pipeline.fallbacks() };
  } finally {
    await stopWorkers(children);
  }
}

/** Latency of `capture()` alone (code reserved, two jobs queued), one at a time, in µs. */
async function captureLatency(tracker: ErrorTracker, count: number): Promise<{ p50: number; p99: number }> {
  const samples = new Float64Array(count);
  for (let i = 0; i < count; i += 1) {
    const error = new Error(`latency ${i}`);
    const t0 = performance.now();
    await tracker.capture(error, { command: 'bench' });
    samples[i] = (performance.now() - t0) * 1000;
  }
  samples.sort();
  const at = (p: number): number => samples[Math.min(samples.length - 1, Math.floor(samples.length * p))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

/** A tracker with its own Redis prefix (queues, code reservations), spool and logger: one per phase, so no phase sees another's leftovers. */
interface Pipeline {
  target: RedisTarget;
  prefix: string;
  tracker: ErrorTracker;
  queues: ModdyQueues;
  spool: ErrorSpool;
  /** The tracker's warnings so far (each fallback is one). */
  warnings(): string;
  /** Captures so far that left the queue path (code not reserved in Redis, written to PostgreSQL directly, spooled). */
  fallbacks(): number;
  close(): Promise<void>;
}

async function openPipeline(config: Config, target: RedisTarget, db: PostgresDatabase, phase: string): Promise<Pipeline> {
  const prefix = `moddy_bench_errors_${process.pid}_${phase}`;
  const redis = createProducerConnection(target);
  const queues = createQueues({ connection: redis, prefix });
  const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'moddy-bench-spool-'));
  const spool = new ErrorSpool(path.join(spoolDir, 'spool.ndjson'));
  const log = countingLogger();
  const tracker = createErrorTracker(
    { redis, queues, db, spool, logger: log.logger },
    { prefix, retentionDays: config.ERROR_RETENTION_DAYS, replayIntervalMs: 0, codePoolSize: 1024 },
  );
  await until('Redis connection ready', 10_000, async () => redis.status === 'ready');
  return {
    target,
    prefix,
    tracker,
    queues,
    spool,
    warnings: log.summary,
    fallbacks: () =>
      [...log.counts].filter(([msg]) => /could not reserve|Redis unavailable|spooling/.test(msg)).reduce((sum, [, n]) => sum + n, 0),
    close: async () => {
      await tracker.close();
      await queues.close();
      redis.disconnect();
      await deleteRedisPrefix(prefix, target).catch(() => undefined);
      fs.rmSync(spoolDir, { recursive: true, force: true });
    },
  };
}

async function inPipeline<T>(
  config: Config,
  target: RedisTarget,
  db: PostgresDatabase,
  phase: string,
  work: (pipeline: Pipeline) => Promise<T>,
): Promise<T> {
  const pipeline = await openPipeline(config, target, db, phase);
  try {
    const result = await work(pipeline);
    await pipeline.tracker.drain();
    console.log(`${phase}: tracker warnings: ${pipeline.warnings()}`);
    return result;
  } finally {
    await pipeline.close();
  }
}

export interface PipelineSizes {
  /** Errors captured per throughput run. */
  errors: number;
  /** One throughput run per entry, with that many worker processes. */
  workers: readonly number[];
  /** Sequential `capture()` calls timed. */
  latencySamples: number;
}

/** Errors captured → rows persisted per second with `workers` processes. */
export interface Throughput {
  workers: number;
  perSecond: number;
  /** Of the captures, those that left the queue path (a busy machine: Redis past the tracker's deadline): not a queue figure then. */
  fallbacks: number;
}

export interface PipelineFigures {
  /** `capture()` alone, µs. */
  latency: { p50: number; p99: number };
  persisted: Throughput[];
}

/** The pipeline against `target`, on a scratch database and key prefixes of its own (removed after). */
export async function measurePipeline(config: Config, target: RedisTarget, sizes: PipelineSizes): Promise<PipelineFigures> {
  if (!fs.existsSync(path.join(ROOT, 'dist/src/workers/error-persistence-cli.js'))) throw new Error('Build first: npm run build');
  const scratch = await scratchDatabase();
  try {
    const latency = await inPipeline(config, target, scratch.db, 'latency', ({ tracker }) => captureLatency(tracker, sizes.latencySamples));
    const persisted = [];
    for (const workers of sizes.workers) {
      persisted.push(
        await inPipeline(config, target, scratch.db, `workers${workers}`, (pipeline) =>
          throughput(workers, sizes.errors, scratch, pipeline),
        ),
      );
    }
    return { latency, persisted };
  } finally {
    await scratch.drop();
  }
}

export async function run(): Promise<void> {
  const config = getConfig();
  const sizes = { errors: ERRORS_PER_RUN, workers: [1, 2], latencySamples: LATENCY_SAMPLES };
  const { latency, persisted } = await measurePipeline(config, redisTargetFromConfig(config), sizes);
  console.log(
    `${ERRORS_PER_RUN.toLocaleString('en-US')} errors per run, captured ${CAPTURE_CONCURRENCY} at a time; WORKER_CONCURRENCY=${WORKER_CONCURRENCY}`,
  );
  console.table(persisted.map(({ workers, perSecond }) => ({ 'worker processes': workers, 'errors persisted/s': Math.round(perSecond) })));
  console.log(
    `capture() latency over ${LATENCY_SAMPLES.toLocaleString('en-US')} sequential calls: p50 ${latency.p50.toFixed(0)} µs, p99 ${latency.p99.toFixed(0)} µs`,
  );
}

if (require.main === module) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
