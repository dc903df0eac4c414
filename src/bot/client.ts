import { Client, Events, GatewayIntentBits } from 'discord.js';
import type { RedisConnection } from '../redis';
import type { Logger } from '../core/logger';
import type { InteractionMetrics } from '../observability/metrics';
import type { ModdyDatabase } from '../db/api';
import { moddyCachePolicy } from './cache-policy';
import { createCommandRegistry, type CommandRegistry } from './commands';
import { createInteractionHandler } from './dispatcher';
import { describeFatalClose, fatalCloseOf } from './gateway/fatal-close';
import { trimGuildPayloads } from './gateway/guild-payloads';
import { RedisIdentifyThrottler } from './gateway/identify-throttler';
import type { InFlight } from './in-flight';
import { KnownUsers } from './known-users';
import { LISTENERS } from './listeners';
import { interactionCreateListener } from './listeners/interaction-create';
import { UserLookup } from './lookups/user-lookup';
import type { ErrorCapture } from './tracker';
import { readFleetView } from '../cluster/fleet';

export interface BotClientOptions {
  /** Discord's REST base (`DISCORD_API_URL`); the gateway URL is asked from it too. */
  apiUrl: string;
  /** The shard IDs this client runs and the total; default: one shard, 0 of 1. */
  shards?: number[];
  shardCount?: number;
  db: ModdyDatabase;
  tracker: ErrorCapture;
  logger: Logger;
  /** Redis connection of the `/user lookup` cache. */
  redis: RedisConnection;
  /** Prefix of this deployment's Redis keys (`CACHE_PREFIX`). */
  cachePrefix: string;
  /** `BOT_OWNER_IDS`. */
  ownerIds: readonly string[];
  /** Default: every command of `commands/`. */
  commands?: CommandRegistry;
  /** How long a `/user lookup` answer is reused. Default 300 s. */
  userLookupTtlSeconds?: number;
  /** Users remembered as having a row (see `KnownUsers`). Default 100 000. */
  knownUsersMax?: number;
  /** Interaction counters and command timings; none: not measured. */
  metrics?: InteractionMetrics;
  /** See `DispatcherDeps.autoDeferMs`. Default 2000 ms. */
  autoDeferMs?: number;
  /** How long `/user lookup` and `/guild lookup` wait for Discord (429s included) before answering "try again later". Default 8000 ms. */
  lookupDeadlineMs?: number;
  /** Discord's identify window per bucket, shared through `redis` by every process (`RedisIdentifyThrottler`). Default 5000 ms. */
  identifyWindowMs?: number;
  /** Tracks the running event handlers (see `InFlight`), for a shutdown to wait for; none: not tracked. */
  inFlight?: InFlight;
}

/**
 * One discord.js client (the `Guilds` intent only: no privileged intent; caches limited to what
 * the bot reads, see `cache-policy.ts`) with the bot's listeners and the interaction dispatcher
 * attached. Not logged in: call `client.login(token)`.
 */
export function createBotClient(options: BotClientOptions): Client {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    ...moddyCachePolicy(),
    rest: { api: options.apiUrl },
    ws: {
      buildIdentifyThrottler: async (manager) => {
        const gateway = await manager.fetchGatewayInformation();
        return new RedisIdentifyThrottler({
          redis: options.redis,
          prefix: options.cachePrefix,
          maxConcurrency: gateway.session_start_limit.max_concurrency,
          ...(options.identifyWindowMs !== undefined ? { windowMs: options.identifyWindowMs } : {}),
          logger: options.logger,
        });
      },
    },
    ...(options.shards ? { shards: options.shards } : {}),
    ...(options.shardCount ? { shardCount: options.shardCount } : {}),
  });
  trimGuildPayloads(client);
  const deps = {
    db: options.db,
    tracker: options.tracker,
    logger: options.logger,
    ...(options.inFlight ? { inFlight: options.inFlight } : {}),
  };
  const dispatch = createInteractionHandler({
    ...deps,
    commands: options.commands ?? createCommandRegistry(),
    knownUsers: new KnownUsers(options.knownUsersMax),
    userLookup: new UserLookup({
      redis: options.redis,
      rest: client.rest,
      prefix: options.cachePrefix,
      ...(options.userLookupTtlSeconds ? { ttlSeconds: options.userLookupTtlSeconds } : {}),
      logger: options.logger,
      ...(options.lookupDeadlineMs !== undefined ? { deadlineMs: options.lookupDeadlineMs } : {}),
    }),
    ownerIds: new Set(options.ownerIds),
    fleet: () => readFleetView(options.redis, options.cachePrefix),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.autoDeferMs !== undefined ? { autoDeferMs: options.autoDeferMs } : {}),
    ...(options.lookupDeadlineMs !== undefined ? { lookupDeadlineMs: options.lookupDeadlineMs } : {}),
  });
  for (const listener of [...LISTENERS, interactionCreateListener(dispatch)]) listener.attach(client, deps);
  client.on(Events.Error, (error) => options.logger.error({ err: error }, 'discord client error'));
  // discord.js reconnects (or resumes) by itself; these say when and why.
  client.on(Events.ShardError, (error, shardId) => options.logger.warn({ err: error, shardId }, 'shard connection error'));
  // Emitted for the closes discord.js never reconnects from: the shard stays off until the process restarts.
  client.on(Events.ShardDisconnect, (event, shardId) => {
    const fatal = fatalCloseOf(event.code);
    if (!fatal) return options.logger.info({ code: event.code, shardId }, 'shard disconnected');
    options.logger.error(
      { code: fatal.code, closeName: fatal.name, shardId, restartable: fatal.restartable },
      `${describeFatalClose(fatal, shardId)} and it will not reconnect: ${fatal.fix}`,
    );
  });
  return client;
}
