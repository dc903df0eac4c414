import { getConfig } from '../config';
import { ConfigError } from '../core/errors';
import { createLogger } from '../core/logger';
import { MetricsRegistry } from '../observability/metrics';
import { closeOnSignal } from '../core/shutdown';
import { startClusterManager } from './manager';
import { startManagerEndpoint } from './manager-endpoint';

const DEFAULT_HEALTH_PORT = 9100;

/**
 * `node dist/src/cluster/manager-cli.js` (`npm run bot`): the bot's entry point, every setting from
 * the environment. Serves /health (liveness), /ready (PostgreSQL, Redis, every shard on the gateway
 * within `HEALTH_GATEWAY_GRACE_SECONDS`) and /metrics on `HEALTH_PORT` (default 9100; 0: off), and stops the clusters cleanly on SIGINT/SIGTERM.
 */
async function main(): Promise<void> {
  const config = getConfig();
  const logger = createLogger('cluster-manager');
  if (!config.DISCORD_TOKEN) throw new ConfigError(['DISCORD_TOKEN: required to run the bot']);
  const metrics = new MetricsRegistry('bot');
  const restarts = metrics.clusterRestarts();
  const handle = await startClusterManager({
    token: config.DISCORD_TOKEN,
    apiUrl: config.DISCORD_API_URL,
    databaseUrl: config.DATABASE_URL,
    totalShards: config.TOTAL_SHARDS,
    shardsPerCluster: config.SHARDS_PER_CLUSTER,
    spawnDelayMs: config.CLUSTER_SPAWN_DELAY_MS,
    heartbeat: { intervalMs: config.CLUSTER_HEARTBEAT_INTERVAL_MS, maxMissed: config.CLUSTER_HEARTBEAT_MAX_MISSED },
    reportIntervalMs: config.CLUSTER_REPORT_INTERVAL_MS,
    maxMemoryBytes: config.CLUSTER_MAX_MEMORY_MB * 1024 * 1024,
    onRestart: (clusterId, reason) => restarts.inc({ cluster: String(clusterId), reason }),
    logger,
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
          redisUrl: config.REDIS_URL,
          gatewayGraceSeconds: config.HEALTH_GATEWAY_GRACE_SECONDS,
        });
  closeOnSignal(async () => {
    await handle.close();
    await health?.close();
  }, logger);
  logger.info({ health: health?.url }, 'cluster manager started');
  await handle.whenReady(10 * 60_000).then(
    () => logger.info({ clusters: handle.totalClusters, shards: handle.totalShards }, 'every cluster is ready'),
    (error: unknown) => logger.warn({ err: error }, 'not every cluster is ready yet'),
  );
}

main().catch((error: unknown) => {
  createLogger('cluster-manager').fatal({ err: error }, 'cluster manager failed to start');
  process.exit(1);
});
