import { z } from 'zod';
import { DEFAULT_REDIS_URL } from '../redis/target';

const snowflakeList = z
  .string()
  .default('')
  .transform((raw) =>
    raw
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
  )
  .pipe(z.array(z.string().regex(/^\d{17,20}$/, 'each entry must be a Discord ID (17 to 20 digits)')));

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((value) => value === 'true' || value === '1' || value === 'yes');

/** `host:port,host:port` (IPv6 hosts in brackets). */
const addressList = z
  .string()
  .regex(
    /^\s*(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}\s*(,\s*(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}\s*)*$/,
    'must be host:port pairs separated by commas',
  );

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

/**
 * Every environment variable Moddy reads, with its default. A fresh clone runs with none set:
 * the defaults point at the local PostgreSQL and Redis.
 */
/** Every variable, before the cross-variable rules below (the list `.env.example` must match). */
export const configFields = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `json`: one JSON object per line (what log tools read); `pretty`: coloured lines for a terminal. Unset: `pretty` in development, `json` otherwise. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),

  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgres://postgres@127.0.0.1:5432/moddy'),
  /** PostgreSQL connections per process (each cluster, worker and board holds its own pool). */
  DATABASE_POOL_SIZE: positiveInt.default(10),
  /** Bounds on a slow or hung PostgreSQL (0 = none); see `DatabaseTimeouts` in src/db/data-source.ts. */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(0).default(5000),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(0).default(15_000),
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(0).default(60_000),
  /**
   * DATABASE_URL goes through PgBouncer in transaction mode: the pools send no session settings
   * (PgBouncer refuses `statement_timeout` at connect), so the two server-side timeouts above are
   * then set on the PostgreSQL role instead (README, Scaling out), and the interaction path's
   * statements go unnamed (`PreparedSql`).
   */
  DATABASE_PGBOUNCER: bool.default(false),

  /** One Redis node. Exactly one of REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES (unset: REDIS_URL's default); see docs/redis.md. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** Sentinel mode: the sentinels (`host:port,…`) watching the master named REDIS_SENTINEL_NAME. */
  REDIS_SENTINELS: addressList.optional(),
  REDIS_SENTINEL_NAME: z.string().min(1).default('mymaster'),
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  /** Cluster mode: some nodes of the Redis Cluster (`host:port,…`); the others are discovered. */
  REDIS_CLUSTER_NODES: addressList.optional(),
  /** Password of the data nodes in Sentinel and Cluster mode (with REDIS_URL, put it in the URL). */
  REDIS_PASSWORD: z.string().min(1).optional(),

  /** Prefix of every Redis key and BullMQ queue of this deployment. */
  CACHE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." and "-" only')
    .default('moddy'),
  CACHE_ENABLED: bool.default(true),
  CACHE_ATTRIBUTES_TTL_SECONDS: positiveInt.default(300),
  CACHE_RECORDS_TTL_SECONDS: positiveInt.default(120),
  CACHE_LOOKUPS_TTL_SECONDS: positiveInt.default(3600),
  CACHE_LOCAL_MAX_ENTRIES: z.coerce.number().int().min(0).default(10000),
  /** The local tier's staleness bound when invalidations cannot arrive (0: no local tier); see docs/cache.md. */
  CACHE_LOCAL_TTL_MS: z.coerce.number().int().min(0).default(2000),
  /** Lifetime of a local entry while the invalidation stream is confirmed. */
  CACHE_LOCAL_MAX_AGE_MS: positiveInt.default(30_000),
  CACHE_REDIS_TIMEOUT_MS: positiveInt.default(100),
  /** How often each process reads the log of invalidations a writer could not send to Redis (0: off); see docs/cache.md. */
  CACHE_INVALIDATION_LOG_POLL_MS: z.coerce.number().int().min(0).default(1000),

  /** Largest JSON value accepted by updateUserData/updateGuildData, in bytes. */
  DATA_MAX_VALUE_BYTES: positiveInt.default(64 * 1024),

  ERROR_RETENTION_DAYS: positiveInt.default(30),
  GUILDS_CACHE_MAX_AGE_DAYS: positiveInt.default(30),
  ERROR_SPOOL_PATH: z.string().min(1).default('var/error-spool.ndjson'),
  ERROR_LOG_CHANNEL_ID: z
    .string()
    .regex(/^\d{17,20}$/, 'must be a Discord channel ID')
    .optional(),
  WORKER_CONCURRENCY: positiveInt.default(50),
  /** Prefix of the BullMQ queues; unset: `CACHE_PREFIX`. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." and "-" only')
    .optional(),
  /** How often each maintenance step runs (BullMQ job scheduler). */
  MAINTENANCE_INTERVAL_MINUTES: positiveInt.default(60),

  DISCORD_TOKEN: z.string().optional(),
  DISCORD_APPLICATION_ID: z
    .string()
    .regex(/^\d{17,20}$/, 'must be a Discord application ID')
    .optional(),
  DISCORD_API_URL: z.url({ protocol: /^https?$/ }).default('https://discord.com/api'),
  BOT_OWNER_IDS: snowflakeList,
  /** Discord's identify window per `shard_id % max_concurrency` bucket (5 s); only a simulator differs. */
  DISCORD_IDENTIFY_WINDOW_MS: positiveInt.default(5000),
  /** Session starts (`session_start_limit.remaining`) a host's start must leave unspent, or it refuses to start its shards; 0: no check. */
  DISCORD_SESSION_START_FLOOR: z.coerce.number().int().min(0).default(100),
  TOTAL_SHARDS: z.union([z.literal('auto'), positiveInt]).default('auto'),
  SHARDS_PER_CLUSTER: positiveInt.default(2),
  /** This host's shards out of TOTAL_SHARDS (the fleet's): ranges like `0-15` or `0-3,8-11`. Unset (and no HOST_INDEX): every shard. */
  HOST_SHARDS: z
    .string()
    .regex(/^\s*\d+(-\d+)?(\s*,\s*\d+(-\d+)?)*\s*$/, 'shard IDs or ranges separated by commas, like 0-15 or 0-3,8-11')
    .optional(),
  /** An even split instead: this host is number HOST_INDEX (from 0) of HOST_COUNT hosts. */
  HOST_INDEX: z.coerce.number().int().min(0).optional(),
  HOST_COUNT: positiveInt.optional(),
  /** This host's name in the fleet (shard claims, fleet view); keep it stable across restarts. Default: hostname#share. */
  HOST_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.:#-]+$/, 'letters, digits, "_", ".", ":", "#" and "-" only')
    .optional(),
  /** How long a host's shard claims outlive its last beat (a beat every third of it): a dead host's shards are free again after this. */
  FLEET_LEASE_SECONDS: z.coerce.number().int().min(3).default(15),
  CLUSTER_SPAWN_DELAY_MS: z.coerce.number().int().min(0).default(5500),
  DEV_GUILD_ID: z
    .string()
    .regex(/^\d{17,20}$/, 'must be a Discord guild ID')
    .optional(),
  /** A cluster missing this many IPC heartbeats in a row (one per interval) is restarted. */
  CLUSTER_HEARTBEAT_INTERVAL_MS: positiveInt.default(20_000),
  CLUSTER_HEARTBEAT_MAX_MISSED: positiveInt.default(5),
  /** How often each cluster reports its shards' gateway status and its memory to the manager. */
  CLUSTER_REPORT_INTERVAL_MS: positiveInt.default(5000),
  /** Resident memory above which the manager restarts a cluster process (logged); 0: no ceiling. */
  CLUSTER_MAX_MEMORY_MB: z.coerce.number().int().min(0).default(2048),
  /** How long `/user lookup` reuses a Discord answer (Redis, under CACHE_PREFIX). */
  USER_LOOKUP_TTL_SECONDS: positiveInt.default(300),
  /** How long `/user lookup` and `/guild lookup` wait for Discord, rate-limit waits included, before answering "try again later". */
  LOOKUP_DEADLINE_MS: positiveInt.default(8000),

  /** Address of the /health and /metrics endpoint of long-running processes. */
  HEALTH_HOST: z.string().min(1).default('127.0.0.1'),
  /** Port of that endpoint; unset: the role's default (manager 9100, workers 9101-9103); 0: off. */
  HEALTH_PORT: port.optional(),
  /** The manager's `/ready` answers 503 once a shard has been off the gateway this long. */
  HEALTH_GATEWAY_GRACE_SECONDS: positiveInt.default(60),

  /** The Discord-log worker waits this long for more errors, to post them together (up to 10 embeds a message). */
  DISCORD_LOG_BATCH_WINDOW_MS: z.coerce.number().int().min(0).default(2000),
  /** Identical errors (same type, message and place) within this window are posted once, then counted in one follow-up post. */
  DISCORD_LOG_DEDUPE_WINDOW_SECONDS: positiveInt.default(60),

  BOARD_HOST: z.string().min(1).default('127.0.0.1'),
  BOARD_PORT: port.default(3000),
  BOARD_USER: z.string().min(1).optional(),
  BOARD_PASSWORD: z.string().min(1).optional(),
  BOARD_READ_ONLY: bool.default(false),

  /** Local Discord simulator (src/simulator, docs/simulator.md): where it listens, what it seeds. */
  SIMULATOR_HOST: z.string().min(1).default('127.0.0.1'),
  SIMULATOR_PORT: port.default(8090),
  /** Bot token the simulator accepts; default: the fixed dev token DEV_TOKEN of src/simulator/options.ts. */
  SIMULATOR_TOKEN: z.string().min(1).optional(),
  SIMULATOR_GUILDS: z.coerce.number().int().min(0).default(40),
  SIMULATOR_SEED: z.coerce.number().int().default(1),
});

const REDIS_MODES = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const;

/** Exactly one Redis mode: two set is an error (which one would every process use?); none set: REDIS_URL's default. */
export const configSchema = configFields
  .superRefine((config, context) => {
    const set = REDIS_MODES.filter((name) => config[name] !== undefined);
    if (set.length > 1) {
      context.addIssue({
        code: 'custom',
        path: [set[1] ?? ''],
        message: `set only one of ${REDIS_MODES.join(', ')} (found ${set.join(' and ')})`,
      });
    }
  })
  .transform((config) =>
    config.REDIS_SENTINELS === undefined && config.REDIS_CLUSTER_NODES === undefined
      ? { ...config, REDIS_URL: config.REDIS_URL ?? DEFAULT_REDIS_URL }
      : config,
  );

export type Config = z.infer<typeof configSchema>;
