import type { Client } from 'discord.js';
import type { Config } from '../config';
import { connectDatabase } from '../connect';
import { ConfigError } from '../core/moddy-error';
import { createLogger, type Logger } from '../core/logger';
import { createErrorPipeline } from '../error-tracking';
import { MetricsRegistry } from '../observability/metrics';
import { createBotClient } from './client';
import { InFlight } from './in-flight';
import { countCaptures } from './tracker';

export interface ShardOptions {
  config: Config;
  /** Shard IDs run by this client and the total (a cluster's `SHARD_LIST`/`TOTAL_SHARDS`). Default: 0 of 1. */
  shards?: number[];
  shardCount?: number;
  logger?: Logger;
}

export interface Shard {
  client: Client;
  /** Connects to the gateway (resolves when the login is accepted, before `clientReady`). */
  login(): Promise<void>;
  /**
   * Lets the running event handlers finish (at most `HANDLER_DRAIN_MS`), destroys the client, then
   * closes the error pipeline, Redis and PostgreSQL. Idempotent.
   */
  close(): Promise<void>;
  /** Interactions, cache counters, errors captured and process metrics of this shard; the manager's /metrics serves every cluster's, labelled `cluster`. */
  metrics: MetricsRegistry;
}

/** How long a shutdown waits for running handlers: well inside the cluster's 8 s exit deadline (cluster-entry.ts), which also covers closing the rest. */
const HANDLER_DRAIN_MS = 4000;

/** A bot client with its collaborators built from configuration: the cached data API, the error tracker, Redis. */
export async function createShard(options: ShardOptions): Promise<Shard> {
  const { config } = options;
  const token = config.DISCORD_TOKEN;
  if (!token) throw new ConfigError(['DISCORD_TOKEN: required to run the bot']);
  const logger = options.logger ?? createLogger('bot');
  const db = await connectDatabase({ config });
  const pipeline = createErrorPipeline(config, { db, logger });
  const metrics = new MetricsRegistry('bot');
  metrics.cache(() => db.getCacheStats());
  const captured = metrics.errorsCaptured();
  const inFlight = new InFlight();
  const client = createBotClient({
    apiUrl: config.DISCORD_API_URL,
    ...(options.shards ? { shards: options.shards } : {}),
    ...(options.shardCount ? { shardCount: options.shardCount } : {}),
    db,
    tracker: countCaptures(pipeline.tracker, captured),
    logger,
    // The pipeline's fail-fast producer connection also serves the short `/user lookup` cache.
    redis: pipeline.redis,
    cachePrefix: config.CACHE_PREFIX,
    ownerIds: config.BOT_OWNER_IDS,
    userLookupTtlSeconds: config.USER_LOOKUP_TTL_SECONDS,
    lookupDeadlineMs: config.LOOKUP_DEADLINE_MS,
    identifyWindowMs: config.DISCORD_IDENTIFY_WINDOW_MS,
    metrics: metrics.interactions(),
    inFlight,
  });
  let closing: Promise<void> | null = null;
  return {
    client,
    metrics,
    async login() {
      await client.login(token);
    },
    close() {
      closing ??= (async () => {
        if (!(await inFlight.settle(HANDLER_DRAIN_MS)))
          logger.warn({ drainMs: HANDLER_DRAIN_MS }, 'event handlers still running at shutdown');
        await client.destroy();
        await pipeline.close();
        await db.close();
      })();
      return closing;
    },
  };
}
