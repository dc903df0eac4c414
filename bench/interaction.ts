import { configCommand } from '../src/bot/commands/config-command';
import { KnownUsers } from '../src/bot/known-users';
import { openInteraction } from '../src/bot/middleware';
import { CachedDatabase } from '../src/cache/cached-database';
import { createLogger } from '../src/core/logger';
import { createCacheRedisClients } from '../src/cache/redis-clients';
import { resolveCacheOptions, type CacheOptions } from '../src/cache/options';
import { globLiteral, scanKeys, unlinkKeys } from '../src/cache/scan';
import { getConfig } from '../src/config';
import { createDataSource } from '../src/db/data-source';
import { PostgresDatabase } from '../src/db/postgres-database';
import { poolOf } from '../src/db/prepared-sql';
import { createRedisConnection, redisTargetFromConfig, type RedisConnection } from '../src/redis';
import { createScratchDatabase, type ScratchDatabase } from './scratch';

/**
 * `npm run bench -- interaction`: Moddy's own data work for one `/config show`, as the dispatcher
 * does it (the middleware's attributes, language, blacklist and first-seen row, then the guild
 * record), on the configured PostgreSQL and Redis, without Discord. Counts the PostgreSQL statements
 * and Redis commands each interaction costs and times it, warm and cold.
 */

const GUILDS = 10_000;
const EXISTING_USERS = 20_000;
const FIRST_GUILD = 200_000_000_000_000_000n;
const FIRST_USER = 300_000_000_000_000_000n;
/** New users get IDs from here on: never in the database before the run. */
const FIRST_NEW_USER = 400_000_000_000_000_000n;
const CONCURRENCIES = [1, 50] as const;
/** Interactions per timed run. */
const OPS = 3_000;
/** Interactions of the counting pass (sequential). */
const COUNTED = 200;
const POOL_SIZE = 10;
/** `DATABASE_POOL_SIZE` candidates, tried on the cold returning-user path at the highest concurrency. */
const POOL_SIZES = [2, 5, 10] as const;

const guildId = (n: number): string => String(FIRST_GUILD + BigInt(n % GUILDS));
const userId = (n: number): string => String(FIRST_USER + BigInt(n % EXISTING_USERS));

interface Counters {
  statements: number;
  commands: number;
}

interface Interaction {
  userId: string;
  guildId: string;
}

interface Scenario {
  label: string;
  cache: CacheOptions;
  /** Run before each pass: what the tiers hold when it starts. */
  prepare?: (bench: Bench) => Promise<void>;
  /** The `i`-th interaction of pass `pass`. */
  interaction(i: number, pass: number): Interaction;
}

interface Bench {
  db: CachedDatabase;
  knownUsers: KnownUsers;
  counters: Counters;
  flushRedis(): Promise<void>;
}

/** The first-seen path and the returning-user path draw IDs no earlier pass used. */
let newUsers = 0;

const SCENARIOS: Scenario[] = [
  {
    label: 'warm: local tier hits (user known to the process)',
    cache: {},
    prepare: (bench) => warm(bench, 100),
    interaction: (i) => ({ userId: userId(i % 100), guildId: guildId(i % 100) }),
  },
  {
    label: 'warm in Redis only (local tier off, user known)',
    cache: { localMaxEntries: 0 },
    prepare: (bench) => warm(bench, 1_000),
    interaction: (i) => ({ userId: userId(i % 1_000), guildId: guildId(i % 1_000) }),
  },
  {
    label: 'cold: returning user and guild, in no tier',
    cache: {},
    prepare: (bench) => bench.flushRedis(),
    interaction: (i, pass) => ({ userId: userId(1_000 + pass * OPS + i), guildId: guildId(1_000 + pass * OPS + i) }),
  },
  {
    label: 'cold: first-seen user, guild in no tier',
    cache: {},
    prepare: (bench) => bench.flushRedis(),
    interaction: () => {
      newUsers += 1;
      return { userId: String(FIRST_NEW_USER + BigInt(newUsers)), guildId: guildId(5_000 + newUsers) };
    },
  },
];

/** What `/config show` costs Moddy before its reply: the middleware (with what the command `needs`), then the guild record. */
async function configShow(bench: Bench, interaction: Interaction): Promise<void> {
  const gate = await openInteraction(bench.db, bench.knownUsers, {
    ...interaction,
    locale: 'en-US',
    guildRecord: configCommand.needs?.guildRecord === true,
  });
  if (gate.blacklisted) throw new Error('unexpected blacklist');
  if (gate.guildRecord === undefined) await bench.db.getGuild(interaction.guildId);
}

/** The first `count` users and guilds seen once, by this process too. */
async function warm(bench: Bench, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) await configShow(bench, { userId: userId(i), guildId: guildId(i) });
}

interface Measurement {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** This process's CPU time (user + system) per interaction: Moddy's own cost, less sensitive than wall time to a busy machine. */
  cpuUs: number;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

/** `ops` interactions, `concurrency` at a time, each timed. */
async function measure(bench: Bench, scenario: Scenario, pass: number, ops: number, concurrency: number): Promise<Measurement> {
  const latencies = new Float64Array(ops);
  let next = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ops) {
        const i = next;
        next += 1;
        const t0 = performance.now();
        await configShow(bench, scenario.interaction(i, pass));
        latencies[i] = performance.now() - t0;
      }
    }),
  );
  const elapsed = performance.now() - start;
  const used = process.cpuUsage(cpu);
  latencies.sort();
  return {
    perSecond: (ops / elapsed) * 1000,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    cpuUs: (used.user + used.system) / ops,
  };
}

/** A scratch database: `GUILDS` guild rows (as GUILD_CREATE makes them) and `EXISTING_USERS` user rows. */
async function prepareDatabase(): Promise<ScratchDatabase> {
  const scratch = await createScratchDatabase('interaction');
  await scratch.query(
    `INSERT INTO guilds (guild_id) SELECT ${FIRST_GUILD} + g FROM generate_series(0, ${GUILDS - 1}) AS g;
     INSERT INTO users (user_id) SELECT ${FIRST_USER} + g FROM generate_series(0, ${EXISTING_USERS - 1}) AS g;
     ANALYZE users; ANALYZE guilds;`,
  );
  return scratch;
}

/** The cached data API as `connectDatabase` builds it, with its PostgreSQL statements and Redis commands counted. */
async function openBench(url: string, prefix: string, cache: CacheOptions, admin: RedisConnection, poolSize = POOL_SIZE): Promise<Bench> {
  const config = getConfig();
  const counters: Counters = { statements: 0, commands: 0 };
  const dataSource = createDataSource({ url, poolSize });
  await dataSource.initialize();
  // Each statement outside a transaction checks a connection out of the pool, whether TypeORM or pg runs it (`PreparedSql`).
  poolOf(dataSource).on('acquire', () => (counters.statements += 1));
  const inner = new PostgresDatabase(dataSource);
  const options = resolveCacheOptions(config, { ...cache, prefix, invalidationLogPollMs: 0 });
  const { redis, subscriber } = createCacheRedisClients(redisTargetFromConfig(config), options.redisTimeoutMs);
  const send = redis.sendCommand.bind(redis) as (...args: unknown[]) => unknown;
  redis.sendCommand = ((...args: unknown[]) => {
    counters.commands += 1;
    return send(...args);
  }) as typeof redis.sendCommand;
  const db = await new CachedDatabase({ inner, redis, subscriber, options, logger: createLogger('bench') }).start(options.startupTimeoutMs);
  return {
    db,
    knownUsers: new KnownUsers(),
    counters,
    flushRedis: () => scanKeys(admin, `${globLiteral(prefix)}:*`, async (keys, node) => void (await unlinkKeys(admin, node, keys))),
  };
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export async function run(): Promise<void> {
  const config = getConfig();
  const scratch = await prepareDatabase();
  const admin = createRedisConnection(redisTargetFromConfig(config));
  const rows: string[] = [];
  const poolRows: string[] = [];
  try {
    for (const [index, scenario] of SCENARIOS.entries()) {
      const prefix = `moddy_bench_ix_${process.pid}_${index}`;
      const bench = await openBench(scratch.url, prefix, scenario.cache, admin);
      try {
        let pass = 0;
        await scenario.prepare?.(bench);
        bench.counters.statements = 0;
        bench.counters.commands = 0;
        for (let i = 0; i < COUNTED; i += 1) await configShow(bench, scenario.interaction(i, pass));
        const perInteraction = { statements: bench.counters.statements / COUNTED, commands: bench.counters.commands / COUNTED };
        for (const concurrency of CONCURRENCIES) {
          pass += 1;
          await scenario.prepare?.(bench);
          const m = await measure(bench, scenario, pass, OPS, concurrency);
          rows.push(
            `| ${scenario.label} | ${fmt(perInteraction.statements, 2)} | ${fmt(perInteraction.commands, 2)} | ${concurrency} | ${fmt(m.perSecond)} | ${fmt(m.p50Ms, 2)} | ${fmt(m.p99Ms, 2)} | ${fmt(m.cpuUs)} |`,
          );
        }
      } finally {
        await bench.flushRedis();
        await bench.db.close();
      }
    }
    const cold = SCENARIOS.find((scenario) => scenario.label.startsWith('cold: returning'));
    const concurrency = CONCURRENCIES[CONCURRENCIES.length - 1] ?? 1;
    for (const [index, poolSize] of POOL_SIZES.entries()) {
      if (cold === undefined) break;
      const bench = await openBench(scratch.url, `moddy_bench_ix_${process.pid}_pool${poolSize}`, cold.cache, admin, poolSize);
      try {
        await cold.prepare?.(bench);
        // Passes 0-2 were the scenario's own: these draw users no earlier pass used.
        const m = await measure(bench, cold, CONCURRENCIES.length + 1 + index, OPS, concurrency);
        poolRows.push(`| ${poolSize} | ${fmt(m.perSecond)} | ${fmt(m.p50Ms, 2)} | ${fmt(m.p99Ms, 2)} | ${fmt(m.cpuUs)} |`);
      } finally {
        await bench.flushRedis();
        await bench.db.close();
      }
    }
  } finally {
    admin.disconnect();
    await scratch.drop();
  }
  console.log(
    `\nInteraction path: Moddy's data work for one /config show (middleware + guild record), ${fmt(GUILDS)} guilds, pool of ${POOL_SIZE}, ${fmt(OPS)} interactions per row`,
  );
  console.log(
    'statements and commands: per interaction, counted over a sequential pass; every interaction timed; CPU: this process, per interaction',
  );
  console.log('| path | PostgreSQL statements | Redis commands | concurrency | interactions/s | p50 (ms) | p99 (ms) | CPU µs |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
  console.log(`\nPostgreSQL pool size, cold returning user at concurrency ${CONCURRENCIES[CONCURRENCIES.length - 1]}`);
  console.log('| pool | interactions/s | p50 (ms) | p99 (ms) | CPU µs |');
  console.log('|---:|---:|---:|---:|---:|');
  for (const row of poolRows) console.log(row);
}
