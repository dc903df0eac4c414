import { configuredLogging, getConfig } from '../config';
import { ConfigError } from '../core/moddy-error';
import { runEntryPoint, signalReady } from '../core/entry-point';
import type { Logger } from '../core/logger';
import { MetricsRegistry } from '../observability/metrics';
import { redisTargetFromConfig } from '../redis';
import { closeOnSignal } from '../core/shutdown';
import { reportConnectionBudget } from './connection-budget';
import { joinFleet } from './fleet-host';
import { startClusterHandoff } from './handoff';
import { formatShardRanges, hostShareFrom } from './host-shards';
import { startClusterManager } from './manager';
import { startManagerEndpoint } from './manager-endpoint';

const DEFAULT_HEALTH_PORT = 9100;
/** Longest wait for an older manager to stop the clusters this one replaced: a cluster's own stop timeout, and some. */
const HANDOVER_TIMEOUT_MS = 15_000;

/**
 * `node dist/src/cluster/manager-cli.js` (`npm run bot`): the bot's entry point, every setting from
 * the environment. Serves /health (liveness), /ready (PostgreSQL, Redis, every shard on the gateway
 * within `HEALTH_GATEWAY_GRACE_SECONDS`) and /metrics on `HEALTH_PORT` (default 9100; 0: off),
 * stops the clusters cleanly on SIGINT/SIGTERM, and tells pm2 it is ready (`wait_ready`) once
 * every cluster is.
 */
async function main(logger: Logger): Promise<void> {
  const config = getConfig();
  const startedAt = Date.now();
  if (!config.DISCORD_TOKEN) throw new ConfigError(['DISCORD_TOKEN: required to run the bot']);
  const metrics = new MetricsRegistry('bot');
  const restarts = metrics.clusterRestarts();
  const share = hostShareFrom(config);
  const redis = redisTargetFromConfig(config);
  // Every host of the bot, through Redis: the fleet size, this host's shard claims, the fleet view.
  const fleet = joinFleet({
    redis,
    prefix: config.CACHE_PREFIX,
    share,
    hostId: config.HOST_ID,
    leaseSeconds: config.FLEET_LEASE_SECONDS,
    poolSize: config.DATABASE_POOL_SIZE,
    logger,
  });
  const handle = await startClusterManager({
    token: config.DISCORD_TOKEN,
    apiUrl: config.DISCORD_API_URL,
    databaseUrl: config.DATABASE_URL,
    totalShards: config.TOTAL_SHARDS,
    hostShare: share,
    fleet: fleet.membership,
    shardsPerCluster: config.SHARDS_PER_CLUSTER,
    spawnDelayMs: config.CLUSTER_SPAWN_DELAY_MS,
    sessionStartFloor: config.DISCORD_SESSION_START_FLOOR,
    heartbeat: { intervalMs: config.CLUSTER_HEARTBEAT_INTERVAL_MS, maxMissed: config.CLUSTER_HEARTBEAT_MAX_MISSED },
    reportIntervalMs: config.CLUSTER_REPORT_INTERVAL_MS,
    maxMemoryBytes: config.CLUSTER_MAX_MEMORY_MB * 1024 * 1024,
    onRestart: (clusterId, reason) => restarts.inc({ cluster: String(clusterId), reason }),
    logger,
  }).catch(async (error: unknown) => {
    await fleet.close();
    throw error;
  });
  await fleet.report(handle, startedAt);
  void fleet.membership.view().then(
    (view) => reportConnectionBudget(config.DATABASE_URL, view, logger, config.DATABASE_PGBOUNCER),
    (error: unknown) => logger.warn({ err: error }, 'fleet view unavailable'),
  );
  // A newer manager of this host (pm2 reload) takes this one's shards over cluster by cluster.
  const handoff = await startClusterHandoff({
    redis,
    prefix: config.CACHE_PREFIX,
    hostId: fleet.membership.hostId,
    handle,
    logger,
    startedAt,
  });
  const port = config.HEALTH_PORT ?? DEFAULT_HEALTH_PORT;
  const health =
    port === 0
      ? undefined
      : await startManagerEndpoint({
          handle,
          metrics,
          host: config.HEALTH_HOST,
          port,
          databaseUrl: config.DATABASE_URL,
          pgbouncer: config.DATABASE_PGBOUNCER,
          redis,
          gatewayGraceSeconds: config.HEALTH_GATEWAY_GRACE_SECONDS,
          fleet: fleet.membership,
        });
  closeOnSignal(async () => {
    await handoff.close();
    await handle.close();
    await fleet.close();
    await health?.close();
  }, logger);
  logger.info({ health: health?.url }, 'cluster manager started');
  await handle.whenReady(10 * 60_000).then(
    () => {
      logger.info(
        {
          hostId: fleet.membership.hostId,
          clusters: handle.totalClusters,
          shards: formatShardRanges(handle.shards),
          totalShards: handle.totalShards,
        },
        'every cluster is ready',
      );
      // An older manager (pm2 reload) stops its last clusters before pm2 stops it.
      return handoff.handedOver(HANDOVER_TIMEOUT_MS).then(signalReady);
    },
    (error: unknown) => logger.warn({ err: error }, 'not every cluster is ready yet'),
  );
}

runEntryPoint('cluster-manager', main, configuredLogging);
